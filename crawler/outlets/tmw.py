"""TuttoMercatoWeb (tuttomercatoweb.com): high-volume transfer-market news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="tmw",
    name="TuttoMercatoWeb",
    homepage="https://www.tuttomercatoweb.com/",
    domains=("www.tuttomercatoweb.com",),
    # Seen-in-code (many); ?s=1 is the Serie A feed (E6).
    feeds=(
        "https://www.tuttomercatoweb.com/rss/",
        "https://www.tuttomercatoweb.com/rss/?s=1",
    ),
    # Matches e.g. https://www.tuttomercatoweb.com/rassegna-stampa/out-dalla-champions-mondiale-a-rischio-i-corriere-della-sera-i-calcio-italiano-in-bilico-2211976
    article_url=r"^https?://www\.tuttomercatoweb\.com/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom (TMW network). Paywall: free. "
        "Feed behind anti-bot protection, answers 403 (seen claim, E3); another list proxies it through "
        "Google News (E25): use an identifiable UA, throttle, expect 403. "
        "Section pages (/serie-a/, /rassegna-stampa/) lack the trailing -{id}; live pages live under /diretta/. "
        "No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
