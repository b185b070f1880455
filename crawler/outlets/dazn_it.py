"""DAZN Italia news (dazn.com/it-IT/news): editorial site of the streaming broadcaster."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="dazn_it",
    name="DAZN Italia news",
    homepage="https://www.dazn.com/it-IT/news/calcio",
    # The feed lives on media.dazn.com, the articles on www.dazn.com; the regex keeps /it-IT/news/ only.
    domains=("www.dazn.com", "media.dazn.com"),
    # Seen-in-code in one family of copied scripts (E1), unverified.
    feeds=("https://media.dazn.com/it/news-it/rss.xml",),
    # Matches e.g. https://www.dazn.com/it-IT/news/calcio/capocannonieri-serie-a-classifica-marcatori-aggiornata/1sk4dtns3wmef1l94kdidtcn4c
    article_url=r"^https?://www\.dazn\.com/it-IT/news/[a-z0-9-]+/[a-z0-9-]+/[a-z0-9]{20,30}(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: headless, likely shared with Goal (same id format). Paywall: news free. "
        "Section pages such as /it-IT/news/calcio do not match. No sitemap seen. "
        "The only feed is weakly attested: if it fails, this outlet has no start URL that works."
    ),
    unverified=("feeds", "article_url"),
)
