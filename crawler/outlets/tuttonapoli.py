"""TuttoNapoli (tuttonapoli.net): club news site of the TuttoMercatoWeb network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="tuttonapoli",
    name="TuttoNapoli",
    homepage="https://www.tuttonapoli.net/",
    domains=("www.tuttonapoli.net",),
    # Likely only: the network's /rss/ pattern, not seen for this site.
    feeds=("https://www.tuttonapoli.net/rss/",),
    # Matches e.g. (seen):
    # https://www.tuttonapoli.net/rassegna-stampa/prima-pagina-tuttosport-juve-ciao-arthur-ecco-jorginho-433817
    article_url=r"^https?://www\.tuttonapoli\.net/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "TMW club network (facts id tmw_network). CMS: same platform as TuttoMercatoWeb (likely). "
        "Paywall: free (likely). Articles are /{section}/{slug}-{id} (seen on milannews.it and "
        "tuttonapoli.net); section pages lack the trailing -{id}. Like TMW, the feed may answer 403 to "
        "bots (likely). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
