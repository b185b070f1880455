"""FCInterNews (fcinternews.it): club news site of the TuttoMercatoWeb network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="fcinternews",
    name="FCInterNews",
    homepage="https://www.fcinternews.it/",
    domains=("www.fcinternews.it",),
    # Seen-in-code.
    feeds=("https://www.fcinternews.it/rss/",),
    # No fcinternews.it URL in the facts. Constructed example on the network pattern:
    # https://www.fcinternews.it/rassegna-stampa/la-gazzetta-dello-sport-esempio-inter-123456
    article_url=r"^https?://www\.fcinternews\.it/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "TMW club network (facts id tmw_network). CMS: same platform as TuttoMercatoWeb (likely). "
        "Paywall: free (likely). Articles are /{section}/{slug}-{id} (seen on milannews.it and "
        "tuttonapoli.net); section pages lack the trailing -{id}. Like TMW, the feed may answer 403 to "
        "bots (likely). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
