"""OA Sport (oasport.it): WordPress multi-sport site, strong on Olympic sports."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="oasport",
    name="OA Sport",
    homepage="https://www.oasport.it/",
    domains=("www.oasport.it",),
    # Seen-in-code in a working aggregator (E2) and several lists.
    feeds=("https://www.oasport.it/feed/",),
    # WordPress: robots.txt likely lists sitemap_index.xml or wp-sitemap.xml.
    robots=True,
    # Matches e.g. https://www.oasport.it/2026/05/pallanuoto-la-pro-recco-passa-a-brescia-e-chiude-la-regular-season-di-serie-a1-a-punteggio-pieno/
    # Tightened from the facts: a last segment of digits only is a WordPress day archive (/2026/05/12/).
    article_url=r"^https?://www\.oasport\.it/\d{4}/\d{2}/(?!\d+/?(?:[?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: WordPress (seen: feed items end 'L'articolo ... proviene da OA Sport', E2); strip that tail. "
        "Paywall: free. Multi-sport, many LIVE blogs (live-...-in-diretta). "
        "Sitemap (sitemap_index.xml / wp-sitemap.xml) and JSON-LD from an SEO plugin are likely."
    ),
    unverified=("feeds", "robots", "article_url"),
)
