"""la Repubblica Sport (repubblica.it/sport): sports section of the GEDI national daily."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="repubblica",
    name="la Repubblica Sport",
    homepage="https://www.repubblica.it/sport/",
    domains=("www.repubblica.it",),
    # rss2.0.xml seen-in-code; calcio and serie-a marked "Confermato dall'utente" (E57).
    feeds=(
        "https://www.repubblica.it/rss/sport/calcio/rss2.0.xml",
        "https://www.repubblica.it/rss/sport/serie-a/rss2.0.xml",
        "https://www.repubblica.it/rss/sport/rss2.0.xml",
    ),
    # Seen-verified via robots.txt (E19): the news sitemap and the monthly gzip archive index (51 children).
    sitemaps=(
        "https://www.repubblica.it/sitemap-n.xml",
        "https://www.repubblica.it/sitemap.xml",
    ),
    robots=True,
    # Matches e.g. https://www.repubblica.it/sport/calcio/serie-a/juventus/2022/05/11/news/coppa_italia_allegri_juventus-349054775/
    article_url=r"^https?://www\.repubblica\.it/sport/(?:[a-z0-9-]+/)*\d{4}/\d{2}/\d{2}/news/[a-z0-9_]+-\d+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom (GEDI). Paywall: Rep: items have JSON-LD isAccessibleForFree=false and an articleBody "
        "that is a ~400-char teaser (seen, E16/E19): keep them as metadata only. "
        "meta article:published_time (seen, E16); body div.story__summary. "
        "The sitemaps cover the whole newspaper: only /sport/ URLs match the regex. "
        "RSS directory /static/servizi/rss/index.html (E19)."
    ),
    unverified=("feeds", "sitemaps", "robots", "article_url"),
)
