"""Calciomercato.it: WordPress transfer-market news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="calciomercato_it",
    name="Calciomercato.it",
    homepage="https://www.calciomercato.it/",
    domains=("www.calciomercato.it",),
    # Seen-verified "freschi + includono immagini" on 29/05/2026 (E11).
    feeds=("https://www.calciomercato.it/feed/",),
    # WordPress: robots.txt likely lists a sitemap.
    robots=True,
    # No article URL in the facts. Constructed example of the likely shape:
    # https://www.calciomercato.it/news/juventus-esempio-di-trattativa/123456/
    article_url=r"^https?://www\.calciomercato\.it/news/[a-z0-9-]+/\d+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: WordPress (seen: wp-json). Paywall: free (likely). "
        "The article_url shape is likely only (not seen): if feed items are all rejected, fix it from the "
        "feed's <link>. Backfill: /wp-json/wp/v2/posts?after=...&before=... works (seen, E12); date_gmt is "
        "UTC without offset. Sitemap via robots.txt is likely (WordPress), not seen."
    ),
    unverified=("feeds", "robots", "article_url"),
)
