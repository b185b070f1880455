"""Calciomercato.com: transfer-market and Serie A news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="calciomercato_com",
    name="Calciomercato.com",
    homepage="https://www.calciomercato.com/",
    # Bare domain: article URLs are seen both with and without www.
    domains=("calciomercato.com",),
    # All seen-in-code (many projects), none verified; /rss is probably an alias of /feed.
    feeds=(
        "https://www.calciomercato.com/feed",
        "https://www.calciomercato.com/rss",
        "https://www.calciomercato.com/feed/mercato",
    ),
    # Matches e.g. https://calciomercato.com/news/gazzetta-colpo-di-scena-milan-avanti-tutta-per-max-allegri-38557
    article_url=r"^https?://(?:www\.)?calciomercato\.com/news/[a-z0-9-]+-\d+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom. Paywall: free (likely). "
        "The feed guid is the slug-id: article URL = https://www.calciomercato.com/news/{guid} (seen, E27). "
        "Selectors: div.article-body > div.text, homepage list a.news-item__title (seen, E26). "
        "Team feeds /feed/teams/{team} exist (seen-in-code) and are left out as subsets. "
        "Section pages such as /serie-a lack the trailing -{id}. No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
