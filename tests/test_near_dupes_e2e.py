"""End to end: two local outlets crawled twice; a syndicated text links, an update folds into one record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from benchmarks.dedupe_texts import TEXTS
from pipeline.urls import article_id_for, url_key
from storage.connection import opened
from tests.ops_site import ConditionalSite

REPORT = list(TEXTS[0].paragraphs)  # an Inter-Milan report written for the repository
AGENCY = ["(ANSA) - MILANO - Il derby è dell'Inter, che batte il Milan 2-1 a San Siro.", *REPORT[1:]]
UPDATE = ("AGGIORNAMENTO ORE 23:30 - Nel dopopartita il giudice sportivo ha aperto un'istruttoria sul "
          "contatto in area nel finale, che il Var aveva giudicato regolare.")  # fmt: skip
NOW = datetime.now(UTC).replace(microsecond=0)


def page(title: str, paragraphs: list[str], published: datetime, modified: datetime | None = None) -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": published.isoformat(), "author": {"@type": "Person", "name": "Redazione"}}  # fmt: skip
    if modified:
        ld["dateModified"] = modified.isoformat()
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>{title}</title>'
            f'<script type="application/ld+json">{json.dumps(ld)}</script></head><body><main><article>'
            f"<h1>{title}</h1>{body}</article></main><footer>© Redazione</footer></body></html>")  # fmt: skip


def rss(base: str, *entries: tuple[str, str, datetime]) -> str:
    items = "".join(f"<item><title>{t}</title><link>{base}{p}</link><pubDate>{format_datetime(d)}</pubDate></item>"
                    for p, t, d in entries)  # fmt: skip
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def crawl(db: Path, outlets: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--outlets", str(outlets), "--db", str(db), "--since", "30",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "SPORTNEWS_EXTRACT_WORKERS=1",
         "-s", "SPORTNEWS_NEAR_DUP_WAIT_SECONDS=0.2"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[ConditionalSite, ConditionalSite, Path]]:
    alfa, beta = ConditionalSite(), ConditionalSite()
    with alfa.serving(), beta.serving():
        outlets = tmp_path / "outlets.toml"
        outlets.write_text("".join(
            f'[[outlet]]\nkey = "{key}"\ndomains = ["{s.base.removeprefix("http://")}"]\n'
            f'feeds = ["{s.base}/rss.xml"]\nrobots = false\narticle_url = \'/news/\\d+-[a-z-]+$\'\n\n'
            for key, s in (("alfa", alfa), ("beta", beta))
        ))  # fmt: skip
        yield alfa, beta, outlets


def test_update_folds_into_one_record_and_syndicated_copy_links(
    sites: tuple[ConditionalSite, ConditionalSite, Path], tmp_path: Path
) -> None:
    alfa, beta, outlets = sites
    db = tmp_path / "a.duckdb"
    first, copy, update = "/news/1-derby-inter-milan", "/news/7-derby-ansa", "/news/2-derby-inter-milan-aggiornato"
    published = NOW - timedelta(hours=6)
    alfa.put(first, page("L'Inter vince il derby", REPORT, published))
    alfa.put("/rss.xml", rss(alfa.base, (first, "L'Inter vince il derby", published)), "application/rss+xml")
    beta.put(copy, page("Derby all'Inter", AGENCY, published + timedelta(hours=1)))
    beta.put("/rss.xml", rss(beta.base, (copy, "Derby all'Inter", published + timedelta(hours=1))),
             "application/rss+xml")  # fmt: skip
    crawl(db, outlets)

    # Later in the day the outlet re-posts the report, updated, under a new URL.
    modified = NOW - timedelta(hours=1)
    alfa.put(update, page("Derby, l'Inter vince: aperta un'istruttoria", [*REPORT, UPDATE], published, modified))
    alfa.put("/rss.xml", rss(alfa.base, (update, "Derby, aggiornamento", modified),
                             (first, "L'Inter vince il derby", published)), "application/rss+xml")  # fmt: skip
    crawl(db, outlets)

    record = article_id_for(url_key(f"{alfa.base}{first}"))
    with opened(db, read_only=True) as con:
        articles = con.execute(
            "SELECT article_id, outlet, url, revisions, text LIKE '%AGGIORNAMENTO%', published_at, modified_at, "
            "duplicate_of, duplicate_kind, similarity FROM articles ORDER BY outlet"
        ).fetchall()
        duplicates = con.execute("SELECT url, duplicate_of, duplicate_of_url, kind FROM duplicates").fetchall()
    assert len(articles) == 2
    a, b = articles
    # One record for the outlet's story: the newest text, under its newest URL, two revisions.
    assert a[:5] == (record, "alfa", f"{alfa.base}{update}", 2, True)
    assert a[5] == published and a[6] == modified
    assert duplicates == [(f"{alfa.base}{first}", record, f"{alfa.base}{update}", "revision")]
    # The agency copy on the other outlet: kept, and the two records linked, with their similarity.
    # Which one is the original depends on which the crawl stored first (two outlets fetched in
    # parallel): the one stored later links to the one already in the archive.
    assert b[1:3] == ("beta", f"{beta.base}{copy}")
    links = {(a[7], a[8]), (b[7], b[8])}
    assert links in ({(None, None), (record, "near")}, {(None, None), (b[0], "near")})
    assert max(a[9] or 0, b[9] or 0) >= 0.5
