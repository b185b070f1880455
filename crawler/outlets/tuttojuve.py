"""TuttoJuve (tuttojuve.com): club news site of the TuttoMercatoWeb network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="tuttojuve",
    name="TuttoJuve",
    homepage="https://www.tuttojuve.com/",
    domains=("www.tuttojuve.com",),
    # Seen-in-code.
    feeds=("https://www.tuttojuve.com/rss/",),
    # No tuttojuve.com URL in the facts. Constructed example on the network pattern:
    # https://www.tuttojuve.com/rassegna-stampa/tuttosport-esempio-juventus-123456
    article_url=r"^https?://www\.tuttojuve\.com/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "TMW club network (facts id tmw_network). CMS: same platform as TuttoMercatoWeb (likely). "
        "Paywall: free (likely). Articles are /{section}/{slug}-{id} (seen on milannews.it and "
        "tuttonapoli.net); section pages lack the trailing -{id}. Like TMW, the feed may answer 403 to "
        "bots (likely). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
