"""FirenzeViola (firenzeviola.it): club news site of the TuttoMercatoWeb network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="firenzeviola",
    name="FirenzeViola",
    homepage="https://www.firenzeviola.it/",
    domains=("www.firenzeviola.it",),
    # Likely only: the network's /rss/ pattern, not seen for this site.
    feeds=("https://www.firenzeviola.it/rss/",),
    # No firenzeviola.it URL in the facts. Constructed example on the network pattern:
    # https://www.firenzeviola.it/rassegna-stampa/la-nazione-esempio-fiorentina-123456
    article_url=r"^https?://www\.firenzeviola\.it/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "TMW club network (facts id tmw_network). CMS: same platform as TuttoMercatoWeb (likely). "
        "Paywall: free (likely). Articles are /{section}/{slug}-{id} (seen on milannews.it and "
        "tuttonapoli.net); section pages lack the trailing -{id}. Like TMW, the feed may answer 403 to "
        "bots (likely). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
