"""Rai Sport / RaiNews sport (rainews.it): sports section of the public broadcaster's news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="raisport",
    name="Rai Sport / RaiNews Sport",
    homepage="https://www.rainews.it/archivio/sport",
    domains=("www.rainews.it",),
    # Seen-verified: HTTP 200 and valid XML (E4).
    feeds=("https://www.rainews.it/rss/sport",),
    # Matches e.g. https://www.rainews.it/articoli/2026/02/il-casco-con-i-volti-degli-atleti-ucraini-uccisi-squalificato-latletadello-skeleton-heraskevych-c269b776-c601-4ec0-b7f3-6271587b9f6d.html
    article_url=r"^https?://www\.rainews\.it/(?:articoli|video)/\d{4}/\d{2}/[a-z0-9-]+-[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?\.html(?:[?#].*)?$",
    language="it",
    # robots stays False on purpose, see notes.
    robots=False,
    notes=(
        "CMS: custom (Rai). Paywall: free; the embedded premium:true / login_required:true flags are "
        "misleading (seen, E19). JSON-LD / embedded article data with dates (seen, E19). "
        "Left out on purpose: robots.txt, sitemap.xml (index of ~3014 children), "
        "dl/rainews/sitemap/fast/sitemap.fast.xml and /rss/tutti are seen-verified (E19) but cover every "
        "RaiNews section, and the article URL /articoli/YYYY/MM/{slug}-{uuid}.html does not name the section, "
        "so they would bring in politics and crime news. Enable them only with a section filter "
        "(e.g. on JSON-LD articleSection). "
        "Short-uuid URLs (...-9db6b8dd.html) exist (seen). Unused: archive API "
        "POST /atomatic/news-search-service/api/v3/search (seen, E18); old rai.it RaiSport_generico.xml feed."
    ),
    unverified=("feeds", "article_url"),
)
