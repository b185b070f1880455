"""Eurosport Italia (eurosport.it): multi-sport site of Warner Bros. Discovery."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="eurosport_it",
    name="Eurosport Italia",
    homepage="https://www.eurosport.it/",
    domains=("www.eurosport.it",),
    # Seen-in-code in several projects, unverified.
    feeds=("https://www.eurosport.it/rss.xml",),
    # Matches e.g. https://www.eurosport.it/calcio/serie-a/2026-2027/fantacalcio-formazioni-tipo-serie-a-come-giocheranno-e-chi-sono-i-titolari-delle-20-squadre-dopo-il-calciomercato-estivo_sto23324751/story.shtml
    article_url=r"^https?://www\.eurosport\.it/[a-z0-9-]+/(?:[a-z0-9-]+/)*[a-z0-9-]+_sto\d+/story\.shtml(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: custom (Warner Bros. Discovery). Paywall: free. "
        "Articles end _sto{N}/story.shtml (seen); live pages (_mtc{N}/live.shtml, live-stats.shtml), "
        "classifica.shtml and teamcenter.shtml do not match. The URL carries only the season, no date. "
        "Selectors h1.text-onLight-02, .organism-article-main-content (seen, Liago/AZReader). "
        "Section feeds are likely; it.eurosport.com/rss.xml (seen-in-code) is another host, left out. "
        "No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
