"""Goal.com Italia (goal.com/it): Italian edition of the global football site (DAZN group)."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="goal_it",
    name="Goal.com Italia",
    homepage="https://www.goal.com/it",
    # One host for every language edition; the regex keeps the /it/ prefix.
    domains=("www.goal.com",),
    # Seen-in-code, unverified; a later version of one project dropped them for "verified" feeds (E11).
    feeds=(
        "https://www.goal.com/feeds/it/news",
        "https://www.goal.com/it/feeds/news",
    ),
    # Seen-in-code: a pipeline parses <loc> from them (E30). The best discovery route.
    sitemaps=(
        "https://www.goal.com/it/sitemap/google-news.xml",
        "https://www.goal.com/it/sitemap/editorial-where-to-watch.xml",
    ),
    # Matches e.g. https://www.goal.com/it/notizie/maiorca-muriqi-goal-decisivo-atletico-madrid/blt181fd44f6e23c1e0
    article_url=r"^https?://www\.goal\.com/it/(?:notizie|liste)/[a-z0-9-]+/(?:blt[0-9a-f]{16}|[a-z0-9]{20,30})/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: headless; blt ids look like Contentstack (seen id format); DAZN group. Paywall: free. "
        "The same host serves other editions (/br/listas/, /de/meldungen/; seen): only /it/notizie/ and "
        "/it/liste/ match. Feeds are doubtful (seen-in-code only; E25 proxies goal.com through Google News)."
    ),
    unverified=("feeds", "sitemaps", "article_url"),
)
