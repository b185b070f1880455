"""Fantacalcio.it: fantasy-football site with Serie A news, lineups and injury updates."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="fantacalcio",
    name="Fantacalcio.it",
    homepage="https://www.fantacalcio.it/news",
    domains=("www.fantacalcio.it",),
    # No working feed (see notes): the news listing is the start page.
    listing_pages=("https://www.fantacalcio.it/news",),
    # Matches e.g. https://www.fantacalcio.it/calciomercato/ultime/04_06_2018/calciomercato-juventus-dalla-spagna-il-real-madrid-vira-con-decisione-su-allegri-per-il-dopo-zidane-la-situazione-299270
    article_url=r"^https?://www\.fantacalcio\.it/[a-z0-9-]+/[a-z0-9-]+/\d{2}_\d{2}_\d{4}/[a-z0-9-]+-\d+(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom. Paywall: free articles, paid app features. "
        "Left out, dead (seen-verified): /rss/news and /rss.xml answer HTML (E3); the feed was removed in "
        "Aug 2026 and answered 200 with a '404 pagina non trovata' page (E13); rss.fantacalcio.it and /rss "
        "are still in some code. URL date segment DD_MM_YYYY (seen). No sitemap seen."
    ),
    unverified=("listing_pages", "article_url"),
)
