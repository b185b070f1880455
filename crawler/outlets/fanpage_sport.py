"""Fanpage.it Sport (fanpage.it/sport): sports section of the Fanpage.it digital newspaper."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="fanpage_sport",
    name="Fanpage.it Sport",
    homepage="https://www.fanpage.it/sport/",
    domains=("www.fanpage.it",),
    # Both seen-in-code, unverified. The site-wide feed adds non-sport items the regex then rejects.
    feeds=(
        "https://www.fanpage.it/sport/feed/",
        "https://www.fanpage.it/feed/",
    ),
    # Matches e.g. https://www.fanpage.it/sport/calcio/regolamento-diffidati-serie-a-dopo-quante-ammonizioni-scatta-la-squalifica/
    # Tightened from the facts: a section feed such as /sport/calcio/feed/ is not an article.
    article_url=r"^https?://www\.fanpage\.it/sport/[a-z0-9-]+/(?!feed/?(?:[?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: WordPress-style /feed/ (likely). Paywall: free. "
        "The first ld+json block has datePublished, thumbnail.url, image (seen, E14); title h1.fp_intro__title, "
        "listing cards a.fp_article-card__title (seen, E14). "
        "Caveat: a three-segment sub-category page (/sport/calcio/serie-a/) has the same shape as an "
        "article and matches (facts warn of this). /sport/calcio/feed/ is likely. No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
