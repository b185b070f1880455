"""Corriere dello Sport (corrieredellosport.it): Rome-based sports daily."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="cds",
    name="Corriere dello Sport",
    homepage="https://www.corrieredellosport.it/",
    domains=("www.corrieredellosport.it",),
    # All seen-in-code: /rss/ in a working aggregator (E2), sections E9, team feed in a production bot (E56).
    feeds=(
        "https://www.corrieredellosport.it/rss/",
        "https://www.corrieredellosport.it/rss/calcio",
        "https://www.corrieredellosport.it/rss/calcio/serie-a",
        "https://www.corrieredellosport.it/rss/calcio/calcio-mercato",
    ),
    # Matches e.g. https://www.corrieredellosport.it/news/calcio/serie-b/2026/09/11-151171743/dove_vedere_pisa-entella_in_tv_dazn_o_prime_video_orario/
    article_url=r"^https?://www\.corrieredellosport\.it/news/(?:[a-z0-9-]+/)*\d{4}/\d{2}/\d{2}-\d+/[a-z0-9_-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom, shared with Tuttosport (same URL scheme and team ids such as t128; likely). "
        "Paywall: mostly free (likely). "
        "The YYYY/MM/DD-{id} path segment tells articles from team pages /squadra/calcio/{team}/t{N} (seen). "
        "Slugs use underscores (seen). /news/on-air/ pages are a TV guide and match the regex (seen; "
        "E2 filters them out). "
        "Team feeds exist (/rss/calcio/serie-a/juve, /rss/napoli; seen-in-code) but only repeat the "
        "section feeds. Left out: /rss/home.xml, /rss/calcio.xml (weak copied lists only) and the 2010 "
        "calibre /rss/Calcio-3.xml feeds (obsolete). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
