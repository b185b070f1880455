"""ANSA Sport (ansa.it): sports wire of Italy's national news agency."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="ansa",
    name="ANSA Sport",
    homepage="https://www.ansa.it/sito/notizie/sport/sport.shtml",
    domains=("www.ansa.it",),
    # sport_rss.xml seen-verified (E4); calcio_rss.xml seen-in-code (E5, E6, E13).
    feeds=(
        "https://www.ansa.it/sito/notizie/sport/sport_rss.xml",
        "https://www.ansa.it/sito/notizie/sport/calcio/calcio_rss.xml",
    ),
    # Seen-verified: declared in robots.txt, 63 section shards (E19).
    sitemaps=("https://www.ansa.it/sito/sitemaps/sito_sitemap_index.xml",),
    robots=True,
    # Matches e.g. https://www.ansa.it/sito/notizie/sport/calcio/2026/09/17/europa-league-la-juventus-asfalta-5-0-il-nec_6e175d87-1b2f-479a-89bb-cc9982cc094c.html
    article_url=r"^https?://www\.ansa\.it/sito/notizie/sport/(?:[a-z0-9_]+/)?\d{4}/\d{2}/\d{2}/[a-z0-9-]+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.html(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom. Paywall: body served free behind a subscription/consent UI (seen, E19). "
        "meta article:published_time (seen, E15), JSON-LD (seen, E19); body div[itemprop=articleBody]. "
        "The sitemap index covers every ANSA section: only /sito/notizie/sport/ URLs match the regex, "
        "category pages (*.shtml) do not. Titles often start with the sport ('Calcio: ...'). "
        "RSS terms forbid republishing headlines on websites (seen, code id 54489487009). "
        "Old calibre /web/ feeds are obsolete."
    ),
    unverified=("feeds", "sitemaps", "robots", "article_url"),
)
