"""Il Posticipo (ilposticipo.it): football news and opinion site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="ilposticipo",
    name="Il Posticipo",
    homepage="https://www.ilposticipo.it/",
    domains=("www.ilposticipo.it",),
    # No feed, sitemap or section page in the facts: the home page is the only start URL.
    listing_pages=("https://www.ilposticipo.it/",),
    # No article URL in the facts (shape likely). Constructed example:
    # https://www.ilposticipo.it/calcio/esempio-di-articolo/
    # Tightened from the facts: a last segment of digits only is pagination.
    article_url=r"^https?://www\.ilposticipo\.it/[a-z0-9-]+/(?!\d+/?(?:[?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "Nothing in the saved material (find_string 'ilposticipo.it' = 0): every fact here is likely. "
        "Probably the same network CMS as Pianeta Milan / FC Inter 1908: /{section}/{slug}/ URLs, "
        "/commenti pages to exclude (they have one more segment and do not match). A /feed is likely "
        "but unseen, so the home page is crawled instead."
    ),
    unverified=("listing_pages", "article_url"),
)
