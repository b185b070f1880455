"""L'Ultimo Uomo (ultimouomo.com): long-form football and sports analysis magazine."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="ultimouomo",
    name="L'Ultimo Uomo",
    homepage="https://www.ultimouomo.com/",
    # Bare domain: the article URL seen has no www, the feeds have it.
    domains=("ultimouomo.com",),
    # Seen-in-code in 2019-2021 apps; current status unknown.
    feeds=(
        "https://www.ultimouomo.com/feed",
        "https://www.ultimouomo.com/rss",
    ),
    # Matches e.g. https://ultimouomo.com/perche-la-difesa-a-3-ha-cosi-successo
    # Tightened from the facts: the one-segment pattern also matched the /feed and /rss URLs.
    article_url=r"^https?://(?:www\.)?ultimouomo\.com/(?!(?:feed|rss|tag|category|author|page|search)(?:[/?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: unknown (a relaunched platform is likely). Paywall: partial membership (likely). "
        "Low volume, long-form. The article pattern is a bare slug, so one-segment static pages "
        "(about, privacy, ...) also match: no listing pages are crawled for that reason. "
        "The feeds may be dead; no sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
