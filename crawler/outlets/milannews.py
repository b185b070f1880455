"""MilanNews (milannews.it): club news site of the TuttoMercatoWeb network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="milannews",
    name="MilanNews",
    homepage="https://www.milannews.it/",
    domains=("www.milannews.it",),
    # Seen-in-code.
    feeds=("https://www.milannews.it/rss/",),
    # Matches e.g. (seen):
    # https://www.milannews.it/rassegna-stampa/la-gazzetta-dello-sport-rivoluzione-milan-334665
    article_url=r"^https?://www\.milannews\.it/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "TMW club network (facts id tmw_network). CMS: same platform as TuttoMercatoWeb (likely). "
        "Paywall: free (likely). Articles are /{section}/{slug}-{id} (seen on milannews.it and "
        "tuttonapoli.net); section pages lack the trailing -{id}. Like TMW, the feed may answer 403 to "
        "bots (likely). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
