"""Spazio Milan (spaziomilan.it): WordPress AC Milan fan news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="spaziomilan",
    name="Spazio Milan",
    homepage="https://spaziomilan.it/",
    domains=("spaziomilan.it",),
    # No feed in the facts (a WordPress /feed/ is likely): crawl the home page.
    listing_pages=("https://spaziomilan.it/",),
    # WordPress (likely): robots.txt likely lists a sitemap.
    robots=True,
    # Matches e.g. (seen, 2018):
    # https://spaziomilan.it/2018/10/sm-%e2%80%a2-milan-sampdoria-abate-musacchio-e-romagnoli-abbracciano-gattuso-a-fine-gara
    # Tightened from the facts: a last segment of digits only is a WordPress day archive (/2018/10/05/).
    article_url=r"^https?://(?:www\.)?spaziomilan\.it/\d{4}/\d{2}/(?!\d+/?(?:[?#]|$))[^/?#]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "Facts id milan_fansites. CMS: WordPress (likely). Paywall: free. "
        "The /YYYY/MM/{slug} permalink is seen only on 2018 URLs; slugs may be percent-encoded. "
        "The current format is likely the same but must be checked."
    ),
    unverified=("listing_pages", "robots", "article_url"),
)
