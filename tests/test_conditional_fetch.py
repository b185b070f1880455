"""Conditional fetching: feeds and sitemaps answered 304 cost one request, and nothing is missed because of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.http import Request, TextResponse

from crawler.source_cache import SourceCache
from storage.connection import opened
from storage.sources import SourceState
from tests.ops_site import ConditionalSite, classic_page

LAST_MODIFIED = "Wed, 04 Mar 2026 10:00:00 GMT"


def crawl(db: Path, outlets: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--outlets", str(outlets), "--db", str(db), "--since", "3650",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "SPORTNEWS_EXTRACT_WORKERS=1", *extra],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    return res


def rss(base: str, *numbers: int) -> str:
    items = "".join(f"<item><title>Notizia {n}</title><link>{base}/news/{n}-napoli-notizia</link>"
                    f"<pubDate>Wed, 04 Mar 2026 0{n}:00:00 +0000</pubDate></item>" for n in numbers)  # fmt: skip
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def urlset(base: str, *numbers: int) -> str:
    urls = "".join(f"<url><loc>{base}/news/{n}-napoli-notizia</loc><lastmod>2026-03-04</lastmod></url>"
                   for n in numbers)  # fmt: skip
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def index(base: str) -> str:
    return ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap></sitemapindex>")  # fmt: skip


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[ConditionalSite, Path]]:
    s = ConditionalSite()
    with s.serving():
        base = s.base
        for n in range(1, 5):
            s.put(f"/news/{n}-napoli-notizia", classic_page(n, f"Napoli, la notizia numero {n}", 3.0))
        # article 7 does not exist: a 404 for the run details
        s.put("/rss.xml", rss(base, 1, 2, 7), "application/rss+xml", etag='"feed-v1"', last_modified=LAST_MODIFIED)
        s.put("/sitemap.xml", index(base), "application/xml", etag='"index-v1"')
        s.put("/sitemap-news.xml", urlset(base, 3), "application/xml", last_modified=LAST_MODIFIED)
        outlets = tmp_path / "o.toml"
        outlets.write_text(
            f'[[outlet]]\nkey = "locale"\ndomains = ["{base.removeprefix("http://")}"]\n'
            f'feeds = ["{base}/rss.xml"]\nsitemaps = ["{base}/sitemap.xml"]\n'
            f"article_url = '/news/\\d+-[a-z-]+$'\n"
        )
        yield s, outlets


def feed_validators(db: Path) -> tuple[str | None, str | None]:
    with opened(db, read_only=True) as con:
        return con.execute("SELECT etag, last_modified FROM sources WHERE url LIKE '%/rss.xml'").fetchone()


def run_row(db: Path) -> dict[str, object]:
    with opened(db, read_only=True) as con:
        cur = con.execute(
            "SELECT o.sources, o.sources_unchanged, o.fetched, o.stored, o.bytes, o.duration_s, o.rejects_by_reason "
            "FROM crawl_run_outlets o JOIN crawl_runs r USING (run_id) ORDER BY r.started_at DESC LIMIT 1"
        )
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def test_unchanged_sources_cost_one_request_each_and_changes_still_arrive(
    site: tuple[ConditionalSite, Path], tmp_path: Path
) -> None:
    s, outlets = site
    db = tmp_path / "a.duckdb"
    crawl(db, outlets, "-s", "RETRY_TIMES=0")
    first = run_row(db)
    assert (first["sources"], first["sources_unchanged"], first["stored"]) == (3, 0, 3)
    assert json.loads(str(first["rejects_by_reason"])) == {"http_404": 1}
    assert first["duration_s"] is not None and 0 < float(first["duration_s"]) < 120  # type: ignore[arg-type]
    with opened(db, read_only=True) as con:
        stored = dict(con.execute("SELECT regexp_extract(url, '/[a-z-]+\\.xml$'), [etag, last_modified] "
                                  "FROM sources").fetchall())  # fmt: skip
    assert stored == {"/rss.xml": ['"feed-v1"', LAST_MODIFIED], "/sitemap.xml": ['"index-v1"', None],
                      "/sitemap-news.xml": [None, LAST_MODIFIED]}  # fmt: skip

    # nothing changed: three 304s, not one article page
    s.clear()
    crawl(db, outlets)
    assert sorted((h.path, h.status) for h in s.seen if h.path != "/robots.txt") == [
        ("/rss.xml", 304),
        ("/sitemap-news.xml", 304),
        ("/sitemap.xml", 304),
    ]
    assert s.hits("/rss.xml")[0].headers["If-None-Match"] == '"feed-v1"'
    assert s.hits("/sitemap-news.xml")[0].headers["If-Modified-Since"] == LAST_MODIFIED
    second = run_row(db)
    assert (second["sources"], second["sources_unchanged"], second["fetched"], second["stored"]) == (3, 3, 0, 0)
    assert second["bytes"] == 0 and second["bytes"] < first["bytes"]  # type: ignore[operator]

    # the child sitemap changes while its index does not: the index's 304 still leads to it
    s.put("/sitemap-news.xml", urlset(s.base, 3, 4), "application/xml", last_modified="Thu, 05 Mar 2026 10:00:00 GMT")
    s.clear()
    crawl(db, outlets)
    assert s.hits("/sitemap.xml")[0].status == 304
    assert s.hits("/sitemap-news.xml")[0].status == 200
    assert [h.status for h in s.hits("/news/4-napoli-notizia")] == [200]
    assert s.hits("/news/3-napoli-notizia") == []  # known already
    third = run_row(db)
    assert (third["sources_unchanged"], third["stored"]) == (2, 1)


def test_a_wider_window_or_a_capped_run_reads_sources_in_full(
    site: tuple[ConditionalSite, Path], tmp_path: Path
) -> None:
    s, outlets = site
    db = tmp_path / "a.duckdb"
    crawl(db, outlets, "--max-articles", "1", "-s", "RETRY_TIMES=0")  # the feed's other entries wait
    assert feed_validators(db) == (None, None)
    s.clear()
    crawl(db, outlets, "-s", "RETRY_TIMES=0")
    assert "If-None-Match" not in s.hits("/rss.xml")[0].headers
    assert [h.status for h in s.hits("/news/2-napoli-notizia")] == [200]
    assert feed_validators(db) == ('"feed-v1"', LAST_MODIFIED)  # a complete read: trusted next time

    s.clear()
    crawl(db, outlets, "--since", "9999")  # wider than the 3650 days of the stored read
    assert s.hits("/rss.xml")[0].status == 200 and "If-None-Match" not in s.hits("/rss.xml")[0].headers


# -- the cache's rules, without a crawl ------------------------------------------------------------
def response(url: str, status: int = 200, headers: dict[str, str] | None = None) -> TextResponse:
    return TextResponse(url, status=status, headers=headers or {}, body=b"", request=Request(url))


def test_headers_only_for_feeds_sitemaps_and_listings_read_under_a_window_as_wide() -> None:
    cache = SourceCache("unused.duckdb", since_days=2.0)
    cache.known = {
        "http://x/rss": SourceState("http://x/rss", "o", "feed", etag='"e"', last_modified=LAST_MODIFIED, since_days=2),
        "http://x/narrow": SourceState("http://x/narrow", "o", "feed", etag='"e"', since_days=1.0),
    }
    assert cache.headers("http://x/rss", "feed") == {"If-None-Match": '"e"', "If-Modified-Since": LAST_MODIFIED}
    assert cache.headers("http://x/rss", "robots") == {}
    assert cache.headers("http://x/narrow", "feed") == {}
    assert cache.headers("http://x/unknown", "feed") == {}
    cache.enabled = False
    assert cache.headers("http://x/rss", "feed") == {}


def test_incomplete_sources_are_saved_without_validators_even_after_a_redirect() -> None:
    cache = SourceCache("unused.duckdb", since_days=2.0)
    moved = response("http://x/new-rss", headers={"ETag": '"a"'})
    moved.request.meta["redirect_urls"] = ["http://x/rss"]  # type: ignore[union-attr]
    cache.fetched("o", "feed", moved)
    cache.fetched("o", "sitemap", response("http://x/sitemap", headers={"ETag": '"b"'}), [("http://x/s1", None)])
    cache.incomplete("http://x/new-rss")  # entries name the URL they were read from
    saved = {s.url: (s.etag, s.children) for s in cache.states_to_save()}
    assert saved == {"http://x/rss": (None, []), "http://x/sitemap": ('"b"', [("http://x/s1", None)])}
