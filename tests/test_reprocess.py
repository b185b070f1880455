"""sportnews reprocess: stored raw pages re-extracted, changed rows updated in place with the same ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.fixture_server import FixtureSites
from pipeline.items import Discovery, ExtractedArticle, FetchedPage
from pipeline.reprocess import changed_columns, reprocess_archive, select_ids
from pipeline.store_stage import article_row
from pipeline.worker import process_page
from storage.connection import opened
from storage.writer import ArchiveWriter

SITES = Path(__file__).parent / "fixtures" / "sites"
FETCHED = "2026-11-26T10:00:00+00:00"


@pytest.fixture(scope="module")
def pages() -> Iterator[list[FetchedPage]]:
    """Every article page of the recorded fixture outlets, as the crawl fetched them."""
    expected = json.loads((SITES / "expected.json").read_text("utf-8"))
    sites = FixtureSites(SITES, lifetime=60).start()
    try:
        out = []
        for art in expected["articles"]:
            _, content_type, _, body = sites.render(art["outlet"], art["url_path"])
            url = sites.url(art["outlet"], art["url_path"])
            out.append(FetchedPage(art["outlet"], url, body, content_type, 200, FETCHED, Discovery("listing", url)))
        yield out
    finally:
        sites.stop()


@pytest.fixture
def archive(tmp_path: Path, pages: list[FetchedPage]) -> Path:
    db = tmp_path / "a.duckdb"
    now = datetime.now(UTC)
    rows = []
    for page in pages:
        result = process_page(page)
        assert isinstance(result, ExtractedArticle), page.url
        rows.append(article_row(result, "run-1", now))
    ArchiveWriter(db).write_batch(rows)
    return db


def snapshot(db: Path) -> dict[str, tuple]:
    with opened(db, read_only=True) as con:
        rows = con.execute(
            "SELECT article_id, title, published_at, text, page_kind, content_hash, authors FROM articles"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def spoil(db: Path, outlet: str) -> int:
    """What an older, worse extractor would have stored for ``outlet``: glued titles, a wrong day, furniture."""
    with opened(db) as con:
        n = con.execute("SELECT count(*) FROM articles WHERE outlet = ?", [outlet]).fetchone()[0]
        con.execute(
            "UPDATE articles SET title = title || ' | Sito', published_at = published_at - INTERVAL 3 DAY, "
            "text = text || '\nLeggi anche: un altro articolo', content_hash = 'old' WHERE outlet = ?",
            [outlet],
        )
    return int(n)


def test_reprocess_restores_spoiled_rows_and_keeps_ids(archive: Path) -> None:
    good = snapshot(archive)
    spoiled = spoil(archive, "curvasud")
    assert spoiled >= 3 and snapshot(archive) != good
    with ThreadPoolExecutor(2) as pool:
        counts = reprocess_archive(archive, executor=pool, batch_size=4)
    assert counts.articles == len(good)
    assert counts.changed == spoiled and counts.unchanged == len(good) - spoiled and counts.rejected == 0
    assert counts.fields["title"] == counts.fields["published_at"] == counts.fields["text"] == spoiled
    assert snapshot(archive) == good  # same ids, same values as a fresh extraction
    with ThreadPoolExecutor(2) as pool:
        again = reprocess_archive(archive, executor=pool)
    assert again.changed == 0 and again.unchanged == len(good)


def test_outlet_and_since_select_the_articles(archive: Path) -> None:
    everything = select_ids(archive)
    tribuna = select_ids(archive, outlet="tribuna")
    assert tribuna and set(tribuna) < set(everything)
    with opened(archive, read_only=True) as con:
        dates = sorted(r[0] for r in con.execute("SELECT published_at FROM articles").fetchall())
    middle = dates[len(dates) // 2].date().isoformat()
    recent = select_ids(archive, since=middle)
    assert 0 < len(recent) < len(everything)
    spoil(archive, "tribuna")
    spoil(archive, "curvasud")
    with ThreadPoolExecutor(2) as pool:
        counts = reprocess_archive(archive, outlet="tribuna", executor=pool)
    assert counts.articles == len(tribuna) == counts.changed
    with opened(archive, read_only=True) as con:
        left = con.execute("SELECT count(*) FROM articles WHERE content_hash = 'old'").fetchone()[0]
    assert left == len(select_ids(archive, outlet="curvasud"))  # the other outlet was not touched
    with pytest.raises(ValueError):
        select_ids(archive, since="yesterday")


def test_a_page_now_rejected_keeps_its_row(archive: Path) -> None:
    import gzip

    with opened(archive) as con:
        victim = con.execute("SELECT article_id, title FROM articles ORDER BY article_id LIMIT 1").fetchone()
        empty = gzip.compress(b"<html><body><p>Pagina vuota</p></body></html>")  # a page stored before zstd
        con.execute("UPDATE pages SET html_compressed = ? WHERE article_id = ?", [empty, victim[0]])
    with ThreadPoolExecutor(2) as pool:
        counts = reprocess_archive(archive, executor=pool)
    assert counts.rejected == 1 and counts.reject_reasons["no_text"] == 1
    assert snapshot(archive)[victim[0]][0] == victim[1]


def test_a_damaged_stored_page_is_counted_and_the_others_reprocessed(archive: Path) -> None:
    with opened(archive) as con:
        ids = [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY article_id").fetchall()]
        con.execute("UPDATE pages SET html_compressed = ? WHERE article_id = ?", [b"\x28\xb5\x2f\xfd broken", ids[0]])
    with ThreadPoolExecutor(2) as pool:
        counts = reprocess_archive(archive, executor=pool)
    assert counts.reject_reasons == {"damaged_page": 1} and counts.rejected == 1
    assert counts.articles == len(ids) and counts.unchanged == len(ids) - 1


def test_changed_columns_compares_instants_and_lists() -> None:
    rome = datetime.fromisoformat("2026-03-04T12:30:00+01:00")
    utc = datetime.fromisoformat("2026-03-04T11:30:00+00:00")
    assert changed_columns({"published_at": rome, "tags": None}, {"published_at": utc, "tags": []}) == []
    assert changed_columns({"title": "A"}, {"title": "B"}) == ["title"]


def test_cli_reports_changes_with_a_process_pool(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spoiled = spoil(archive, "rosanera")
    assert main(["reprocess", "--db", str(archive), "--outlet", "rosanera", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert f"{spoiled} changed" in err and "changed columns:" in err and "title" in err
    assert main(["reprocess", "--db", str(archive), "--since", "not-a-date"]) == 2
