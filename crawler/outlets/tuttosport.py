"""Tuttosport (tuttosport.com): Turin-based sports daily, same platform as Corriere dello Sport."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="tuttosport",
    name="Tuttosport",
    homepage="https://www.tuttosport.com/",
    domains=("www.tuttosport.com",),
    # /rss/calcio: seen-verified fresh on 29/05/2026 (E11); the others seen-in-code (E2, E56, E1).
    feeds=(
        "https://www.tuttosport.com/rss/calcio",
        "https://www.tuttosport.com/rss/",
        "https://www.tuttosport.com/rss/calcio/serie-a",
    ),
    # Matches e.g. https://www.tuttosport.com/news/calcio/2026/09/11-151170622/scandalo_etoo_mezzo_milione_dalla_russia_mai_depositato_cosa_successo/
    article_url=r"^https?://www\.tuttosport\.com/news/(?:[a-z0-9-]+/)*\d{4}/\d{2}/\d{2}-\d+/[a-z0-9_-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom, same platform as Corriere dello Sport (URL family seen; CMS likely). "
        "Paywall: mostly free (likely). "
        "Articles carry YYYY/MM/DD-{id} in the path (seen); team pages /squadra/calcio/juventus/t128 do not. "
        "Team feeds /rss/calcio/serie-a/juventus and /rss/calcio/napoli are seen-in-code and left out as "
        "subsets. /rss/home.xml and /rss/calcio.xml appear only in weak copied lists. No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
