"""SportMediaset (sportmediaset.mediaset.it): sports news of the Mediaset TV group."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="sportmediaset",
    name="SportMediaset",
    homepage="https://www.sportmediaset.mediaset.it/",
    domains=("www.sportmediaset.mediaset.it",),
    # Seen-in-code only; the facts advise planning for no working RSS at all.
    feeds=(
        "https://www.sportmediaset.mediaset.it/rss/homepage.xml",
        "https://www.sportmediaset.mediaset.it/rss/rss-generale_1.xml",
    ),
    # Section pages (likely), because the only feed anyone checked is gone.
    listing_pages=(
        "https://www.sportmediaset.mediaset.it/calcio/",
        "https://www.sportmediaset.mediaset.it/mercato/",
    ),
    # Matches e.g. https://www.sportmediaset.mediaset.it/mercato/juventus/vlahovic-juventus-infortunio-mercato-addio-parametro-zero_108772967-202602k.shtml
    article_url=r"^https?://www\.sportmediaset\.mediaset\.it/(?:[a-z0-9-]+/)+[a-z0-9-]+_\d{6,}-\d{6}k\.shtml(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom (Mediaset). Paywall: free (likely). "
        "Left out: /rss/calcio.xml, HTTP 404 for 3+ weeks ('vecchia rotta RSS dismessa', seen-verified, E10). "
        "Other candidates seen-in-code: /rss.xml, /rss/. "
        "Articles end _{id}-{6 digits}k.shtml (seen); section indexes do not. The 202502k-style suffix is NOT "
        "a month (October 2025 items carry 202502k): never parse a date from it. No sitemap seen."
    ),
    unverified=("feeds", "listing_pages", "article_url"),
)
