"""End to end: crawl the recorded fixture outlets on 127.0.0.x into a fresh archive, twice.

The fixture outlets (tests/fixtures/sites, made by tests/fixtures/make_sites.py) are one feed-driven,
one news-sitemap-driven through robots.txt, one listing-page-driven, with the traps of the pipeline
issue; ``expected.json`` beside them says what a correct crawl stores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.fixture_server import FixtureSites
from storage import page_codec
from storage.connection import opened

SITES = Path(__file__).parent / "fixtures" / "sites"
EXPECTED = json.loads((SITES / "expected.json").read_text())


def crawl(outlets: Path, db: Path) -> subprocess.CompletedProcess[str]:
    args = ["crawl", "--outlets", str(outlets), "--db", str(db), "--since", "3", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "SPORTNEWS_EXTRACT_WORKERS=2"]  # fmt: skip
    res = subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr, res.stdout + res.stderr
    return res


def snapshot(db: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with opened(db, read_only=True) as con:
        for table, order in (("articles", "url"), ("duplicates", "url"), ("rejects", "url"), ("pages", "url"),
                             ("crawl_runs", "started_at"), ("crawl_run_outlets", "run_id, outlet")):  # fmt: skip
            cur = con.execute(f"SELECT * FROM {table} ORDER BY {order}")
            cols = [d[0] for d in cur.description]
            out[table] = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    return out


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("e2e")
    with FixtureSites(SITES) as sites:
        outlets = sites.write_outlets_toml(tmp / "outlets.toml")
        db = tmp / "archive.duckdb"
        first_run = crawl(outlets, db)
        first = snapshot(db)
        hits_first = list(sites.hits)
        second_run = crawl(outlets, db)
        second = snapshot(db)
        hits_second = list(sites.hits)[len(hits_first) :]
        base = {key: sites.base(key) for key in sites}
    return {"first": first, "second": second, "base": base, "hits": hits_first, "stdout": first_run.stdout,
            "second_stdout": second_run.stdout, "hits_second": hits_second}  # fmt: skip


def url(crawled: dict[str, Any], outlet: str, path: str) -> str:
    return crawled["base"][outlet] + path


def by_url(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in rows}


def test_exactly_the_expected_articles_are_stored(crawled: dict[str, Any]) -> None:
    stored = {(a["outlet"], a["url"]) for a in crawled["first"]["articles"]}
    expected = {(e["outlet"], url(crawled, e["outlet"], e["url_path"])) for e in EXPECTED["articles"]}
    # copies of another outlet's article are kept as articles of their own, linked to the original
    expected |= {(d["outlet"], url(crawled, d["outlet"], d["url_path"])) for d in EXPECTED["duplicates"]
                 if d["kind"] == "exact-other-outlet"}  # fmt: skip
    assert stored == expected


@pytest.mark.parametrize("exp", EXPECTED["articles"], ids=lambda e: f"{e['outlet']}{e['url_path'][:40]}")
def test_article_fields(crawled: dict[str, Any], exp: dict[str, Any]) -> None:
    art = by_url(crawled["first"]["articles"])[url(crawled, exp["outlet"], exp["url_path"])]
    assert art["title"] == exp["title"]
    assert art["published_at"] == datetime.fromisoformat(exp["published_at"])
    assert art["language"] == exp["language"]
    assert art["authors"] == exp["authors"]
    assert art["page_kind"] == exp.get("page_kind", "article")
    assert exp["text_snippet"] in art["text"]
    for phrase in exp["must_not_contain"]:
        assert phrase not in art["text"]
    assert art["duplicate_of"] is None
    assert art["word_count"] > 100 and art["content_hash"]


def test_url_and_redirect_duplicates_are_recorded(crawled: dict[str, Any]) -> None:
    dups = by_url(crawled["first"]["duplicates"])
    arts = by_url(crawled["first"]["articles"])
    for exp in EXPECTED["duplicates"]:
        dup_url, of_url = url(crawled, exp["outlet"], exp["url_path"]), url(crawled, exp["of_outlet"], exp["of_path"])
        if exp["kind"] == "exact-other-outlet":
            copy, original = arts[dup_url], arts[of_url]
            assert (copy["duplicate_of"], copy["duplicate_kind"], copy["similarity"]) == (
                original["article_id"], "exact", 1.0)  # fmt: skip
            assert copy["content_hash"] == original["content_hash"]
        else:
            assert dup_url not in arts
            assert dups[dup_url]["kind"] == exp["kind"]
            assert dups[dup_url]["duplicate_of"] == arts[of_url]["article_id"]


def test_rejects_are_recorded_with_their_reason(crawled: dict[str, Any]) -> None:
    rejects = by_url(crawled["first"]["rejects"])
    for exp in EXPECTED["rejects"]:
        assert rejects[url(crawled, exp["outlet"], exp["url_path"])]["reason"] == exp["reason"]


def test_robots_disallowed_article_is_never_fetched(crawled: dict[str, Any]) -> None:
    for exp in EXPECTED["not_fetched"]:
        assert not [h for h in crawled["hits"] if h.path.split("?")[0] == exp["url_path"]]
        assert by_url(crawled["first"]["rejects"])[url(crawled, exp["outlet"], exp["url_path"])]["reason"] == "robots"


def test_non_article_pages_are_not_stored(crawled: dict[str, Any]) -> None:
    stored = {r["url"] for t in ("articles", "duplicates", "rejects") for r in crawled["first"][t]}
    for exp in EXPECTED["not_articles"]:
        assert url(crawled, exp["outlet"], exp["url_path"]) not in stored


def test_every_article_url_ends_in_exactly_one_place(crawled: dict[str, Any]) -> None:
    places: dict[str, list[str]] = {}
    for table in ("articles", "duplicates", "rejects"):
        for row in crawled["first"][table]:
            places.setdefault(row["url"], []).append(table)
    assert all(len(p) == 1 for p in places.values()), {u: p for u, p in places.items() if len(p) > 1}


def test_raw_html_is_kept_for_every_article(crawled: dict[str, Any]) -> None:
    pages = by_url(crawled["first"]["pages"])
    for art in crawled["first"]["articles"]:
        html = page_codec.decompress(pages[art["url"]]["html_compressed"])
        assert b"<html" in html.lower()


def test_windows_1252_page_is_decoded(crawled: dict[str, Any]) -> None:
    texts = " ".join(a["text"] for a in crawled["first"]["articles"] if a["outlet"] == "tribuna")
    assert "sarà" in texts and "€" in texts and "\ufffd" not in texts


def test_run_is_recorded_per_outlet(crawled: dict[str, Any]) -> None:
    (run,) = crawled["first"]["crawl_runs"]
    assert run["status"] == "finished" and run["finished_at"] is not None
    outlets = {r["outlet"]: r for r in crawled["first"]["crawl_run_outlets"]}
    assert set(outlets) == {"curvasud", "rosanera", "tribuna"}
    assert all(r["status"] == "ok" for r in outlets.values())
    assert sum(r["stored"] for r in outlets.values()) == len(crawled["first"]["articles"])
    assert "curvasud" in crawled["stdout"] and "total" in crawled["stdout"]


def test_second_run_fetches_no_stored_article_again(crawled: dict[str, Any]) -> None:
    """The archive's view (crawler/archive_view.py) answers for every stored article: the feeds
    and sitemaps are read again, none of the pages they list that the archive holds."""
    stored = {urlsplit(a["url"]).path for a in crawled["first"]["articles"]}
    again = [h.path for h in crawled["hits_second"] if h.path.split("?")[0] in stored]
    assert stored and crawled["hits_second"] and not again


def test_second_run_changes_nothing(crawled: dict[str, Any]) -> None:
    first, second = crawled["first"], crawled["second"]
    assert second["articles"] == first["articles"]
    assert second["duplicates"] == first["duplicates"]
    assert second["pages"] == first["pages"]
    # the 500 is retried (a transient failure) and its row updated, not doubled
    assert [r["url"] for r in second["rejects"]] == [r["url"] for r in first["rejects"]]
    assert len(second["crawl_runs"]) == 2
    assert (
        sum(r["stored"] for r in second["crawl_run_outlets"] if r["run_id"] == second["crawl_runs"][1]["run_id"]) == 0
    )
