"""La Lazio Siamo Noi (lalaziosiamonoi.it): club news site of the TuttoMercatoWeb network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="lalaziosiamonoi",
    name="La Lazio Siamo Noi",
    homepage="https://www.lalaziosiamonoi.it/",
    domains=("www.lalaziosiamonoi.it",),
    # Seen-in-code (this site uses /rss.xml, not /rss/).
    feeds=("https://www.lalaziosiamonoi.it/rss.xml",),
    # No lalaziosiamonoi.it URL in the facts. Constructed example on the network pattern:
    # https://www.lalaziosiamonoi.it/rassegna-stampa/corriere-dello-sport-esempio-lazio-123456
    article_url=r"^https?://www\.lalaziosiamonoi\.it/[a-z0-9-]+/[a-z0-9-]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "TMW club network (facts id tmw_network). CMS: same platform as TuttoMercatoWeb (likely). "
        "Paywall: free (likely). Articles are /{section}/{slug}-{id} (seen on milannews.it and "
        "tuttonapoli.net); section pages lack the trailing -{id}. Like TMW, the feed may answer 403 to "
        "bots (likely). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
