"""La Gazzetta dello Sport (gazzetta.it): Italy's leading sports daily, RCS group."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="gazzetta",
    name="La Gazzetta dello Sport",
    homepage="https://www.gazzetta.it/",
    # The exact host: video.gazzetta.it serves video pages, not articles.
    domains=("www.gazzetta.it",),
    # dynamic-feed/ scheme: seen-in-code in a working aggregator and three other projects (E2, E6-E8).
    feeds=(
        "https://www.gazzetta.it/dynamic-feed/rss/section/last.xml",
        "https://www.gazzetta.it/dynamic-feed/rss/section/Calcio.xml",
        "https://www.gazzetta.it/dynamic-feed/rss/section/Calcio/Serie-A.xml",
        "https://www.gazzetta.it/dynamic-feed/rss/section/Calciomercato.xml",
    ),
    # Matches e.g. https://www.gazzetta.it/Calcio/Serie-A/Milan/11-09-2026/amorim-pre-lazio-milan-la-conferenza-in-diretta.shtml
    article_url=r"^https?://www\.gazzetta\.it/(?!en/)(?:[A-Za-z0-9-]+/)+\d{2}-\d{2}-\d{4}/[a-z0-9-]+(?:/[a-z0-9-]+)?(?:_preview)?\.shtml(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: Methode (RCS), images on images2.gazzettaobjects.it (seen, E29). "
        "Paywall: G+ premium articles end in _preview.shtml and show 'Contenuto premium' (seen); the "
        "regex keeps them, the extractor gets only the preview. "
        "The DD-MM-YYYY path segment is what tells articles from sections (seen). "
        "/en/ is the English edition and is excluded by the regex (seen, E56). "
        "Left out: legacy /rss/{home,calcio,calciomercato,serie-a}.xml, stale (seen-verified: home.xml items "
        "2022-23, a Serie A feed frozen at 14/11/2023, calcio.xml is rubriche/fantacalcio; E3, E4, E5). "
        "The calcio feed carries GazzaNet partner links (tuttobolognaweb.it ...?intcmp=gazzanet-...) "
        "which the domains filter drops (seen, E20). "
        "No sitemap seen (/sitemap.xml only in guessed lists, unknown). "
        "Unused: JSON API appservice.gazzetta.it/gaz/app/api/mygazzetta/search (seen, E56)."
    ),
    unverified=("feeds", "article_url"),
)
