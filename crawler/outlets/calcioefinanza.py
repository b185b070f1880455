"""Calcio e Finanza (calcioefinanza.it): football business and finance news."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="calcioefinanza",
    name="Calcio e Finanza",
    homepage="https://www.calcioefinanza.it/",
    domains=("www.calcioefinanza.it",),
    # Seen-verified fresh on 29/05/2026 (E11).
    feeds=("https://www.calcioefinanza.it/feed/",),
    # WordPress (likely): robots.txt likely lists a sitemap.
    robots=True,
    # No article URL in the facts: /YYYY/MM/DD/{slug}/ is likely. Constructed example:
    # https://www.calcioefinanza.it/2026/05/29/esempio-di-articolo-bilancio-serie-a/
    article_url=r"^https?://www\.calcioefinanza\.it/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: WordPress (likely). Paywall: free. The URL shape is likely only: if feed items are all "
        "rejected, fix the regex from the feed's <link>. JSON-LD and article:published_time likely."
    ),
    unverified=("feeds", "robots", "article_url"),
)
