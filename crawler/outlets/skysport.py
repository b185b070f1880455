"""Sky Sport Italia (sport.sky.it): the sports site of the Sky Italia broadcaster."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="skysport",
    name="Sky Sport Italia",
    homepage="https://sport.sky.it/",
    domains=("sport.sky.it",),
    # sport.xml seen-in-code in a working aggregator (E2); sport_calcio*.xml in a tested production bot
    # (E56, E22); calcio.xml seen-in-code (E1, E5).
    feeds=(
        "https://sport.sky.it/rss/sport.xml",
        "https://sport.sky.it/rss/sport_calcio.xml",
        "https://sport.sky.it/rss/sport_calcio_serie-a.xml",
        "https://sport.sky.it/rss/calcio.xml",
    ),
    # Matches e.g. https://sport.sky.it/calcio/serie-a/2026/04/23/arbitri-serie-a-designazioni-giornata-34
    article_url=r"^https?://sport\.sky\.it/[a-z0-9-]+(?:/[a-z0-9-]+)*/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom (Sky). Paywall: free (likely). "
        "RSS pubDate can use Italian day and month names, 'lun, 28 set 2026 17:22:23 GMT' (seen, E2). "
        "Feed images in the skyit:image namespace; liveblogs have a <category> containing 'liveblog' (seen, E2). "
        "JSON-LD NewsArticle with datePublished in a test fixture modelled on Sky pages (seen, E22; likely live). "
        "Non-article pages the regex rejects: /argomenti/{tag}, /calcio/squadre/{team}/news, "
        "/calcio/serie-a/{classifica,calendario-risultati,probabili-formazioni} (seen, E22). "
        "Known gap: a few undated evergreen articles (/calcio/serie-a/{slug}, E21) do not match. "
        "Left out: /rss/homepage.xml, /rss/sport_all.xml (weak). Some lists proxy Sky through Google News "
        "(E25), a hint that the direct feeds sometimes fail. No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
