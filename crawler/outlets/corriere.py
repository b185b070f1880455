"""Corriere della Sera Sport (corriere.it/sport): sports section of the RCS national daily."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="corriere",
    name="Corriere della Sera Sport",
    homepage="https://www.corriere.it/sport/",
    # xml2.corriereobjects.it serves the feed only; the regex keeps articles on www.corriere.it.
    domains=("www.corriere.it", "xml2.corriereobjects.it"),
    # Seen-in-code in many projects.
    feeds=("https://xml2.corriereobjects.it/rss/sport.xml",),
    # Matches e.g. https://www.corriere.it/sport/calcio/coppa-italia/22_aprile_19/inter-milan-formazioni-news-risultato-f607f438-bfef-11ec-9f78-c9d279c21b38.shtml
    article_url=r"^https?://www\.corriere\.it/sport/(?:[a-z0-9-]+/)*\d{2}_[a-z]+_\d{2}/[a-z0-9-]+\.shtml(?:[?#].*)?$",
    language="it",
    notes=(
        "Facts id: corriere_sport. CMS: custom (RCS). "
        "Paywall: div.paywall-content, and JSON-LD isAccessibleForFree is the STRING 'False' (seen, E17). "
        "Pages are decoded as iso-8859-1; meta article:published_time can hold the placeholder 'TZ' (seen, E17). "
        "Body section.post-content p. The YY_mese_DD segment (Italian month name) marks articles; "
        "/sport/calcio/serie-a/marcatori/ and /sport/risultati-live/ do not match. "
        "Left out: https://www.corriere.it/rss/sport.xml (weak lists only). No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
