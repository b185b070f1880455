"""Milan Live (milanlive.it): WordPress AC Milan fan news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="milanlive",
    name="Milan Live",
    homepage="https://www.milanlive.it/",
    # Bare domain: the article URL seen has no www, the feed has it.
    domains=("milanlive.it",),
    # Seen-in-code (E25), unverified.
    feeds=("https://www.milanlive.it/feed/",),
    # WordPress (likely): robots.txt likely lists a sitemap.
    robots=True,
    # Matches e.g. (seen, 2013):
    # https://milanlive.it/2013/03/20/marchetti-il-milan-monitora-tantissimi-giovani-allegri-ha-dimostrato-di-saperli-gestire
    article_url=r"^https?://(?:www\.)?milanlive\.it/\d{4}/\d{2}/\d{2}/[^/?#]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "Facts id milan_fansites. CMS: WordPress (likely). Paywall: free. "
        "The /YYYY/MM/DD/{slug} permalink is seen only on 2013 URLs; the current format is likely the same "
        "but must be checked. JSON-LD and article:published_time likely."
    ),
    unverified=("feeds", "robots", "article_url"),
)
