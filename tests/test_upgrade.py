"""Upgrades: an archive written by the first schema version is migrated in place, losing nothing.

The archive file is what users keep across releases. ``fixtures/archive_v1.duckdb.gz`` was made by
``fixtures/make_old_archive.py`` with schema step 1 and is kept as it is, so every later step is
tested against a real old file, not against a fresh one.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from storage import schema
from storage.connection import connect, opened
from storage.schema import MIGRATIONS, SCHEMA_VERSION, current_version
from storage.writer import ArchiveWriter
from tests.reliability_site import sportnews
from tests.test_storage import article

OLD = Path(__file__).parent / "fixtures" / "archive_v1.duckdb.gz"


@pytest.fixture
def old_archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.duckdb"
    path.write_bytes(gzip.decompress(OLD.read_bytes()))
    return path


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def test_the_fixture_is_a_version_1_archive(old_archive: Path) -> None:
    con = duckdb.connect(str(old_archive), read_only=True)
    try:
        assert current_version(con) == 1
        columns = {r[0] for r in rows(con, "SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = 'articles'")}  # fmt: skip
        assert "revisions" not in columns and "story_id" not in columns
        assert len(rows(con, "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'articles'")) == 3
        assert rows(con, "SELECT count(*) FROM articles") == [(2,)]
    finally:
        con.close()


def test_an_old_archive_is_migrated_in_place_and_keeps_every_row(old_archive: Path) -> None:
    before = duckdb.connect(str(old_archive), read_only=True)
    kept = {t: rows(before, f"SELECT * FROM {t} ORDER BY ALL")
            for t in ("articles", "pages", "duplicates", "rejects", "crawl_runs", "crawl_run_outlets")}  # fmt: skip
    before.close()

    with opened(old_archive) as con:  # every writable open migrates
        assert current_version(con) == SCHEMA_VERSION
        assert [v for (v,) in rows(con, "SELECT version FROM schema_info ORDER BY version")] == list(
            range(1, SCHEMA_VERSION + 1)
        )
        for table, old_rows in kept.items():
            width = len(old_rows[0])
            # the old columns come first and hold what they held; new columns are appended
            assert [r[:width] for r in rows(con, f"SELECT * FROM {table} ORDER BY ALL")] == old_rows, table
        assert rows(con, "SELECT DISTINCT revisions FROM articles") == [(1,)]  # the default of a new column
        assert rows(con, "SELECT count(*) FROM sources") == [(0,)]
        assert rows(con, "SELECT count(*) FROM rumours") == [(0,)]  # the views of later steps work
        # Version 1 made three secondary indexes on articles, which every write had to keep up: gone.
        assert rows(con, "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'articles'") == []
    with opened(old_archive) as con:  # a second open finds nothing to do
        assert rows(con, "SELECT count(*) FROM schema_info") == [(SCHEMA_VERSION,)]


def test_a_migrated_archive_takes_new_batches_and_refetches(old_archive: Path) -> None:
    writer = ArchiveWriter(old_archive)
    new = article("c3c3c3c3c3c3c3c3", text="La Lazio vince il derby.")
    refetch = article("a1a1a1a1a1a1a1a1", text="Il Napoli ha battuto la Juventus, testo aggiornato.",
                      url="http://127.0.0.31/calcio/2026/03/04/napoli-juventus")  # fmt: skip
    result = writer.write_batch([new, refetch])
    assert (result.inserted, result.updated) == (1, 1)
    with opened(old_archive, read_only=True) as con:
        assert rows(con, "SELECT count(*) FROM articles") == [(3,)]
        assert rows(con, "SELECT revisions, published_at = '2026-03-04 10:00:00+00'::TIMESTAMPTZ FROM articles "
                         "WHERE article_id = 'a1a1a1a1a1a1a1a1'") == [(2, True)]  # fmt: skip


def test_sportnews_query_reads_a_migrated_archive(old_archive: Path) -> None:
    ArchiveWriter(old_archive).ensure_schema()
    res = sportnews("query", "SELECT outlet, revisions FROM articles ORDER BY outlet", "--db", str(old_archive),
                    "--format", "json")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [{"outlet": "curvasud", "revisions": 1}, {"outlet": "tribuna", "revisions": 1}]


def test_pages_stored_as_gzip_read_back_after_the_zstd_step(old_archive: Path) -> None:
    """Step 8 renames ``html_gz`` to ``html_compressed`` and copies nothing: the old gzip rows stay and
    read back as the new zstd rows do."""
    from storage import page_codec

    before = duckdb.connect(str(old_archive), read_only=True)
    old = dict(rows(before, "SELECT article_id, html_gz FROM pages"))
    before.close()
    assert old and all(blob.startswith(page_codec.GZIP_MAGIC) for blob in old.values())
    ArchiveWriter(old_archive).write_batch([article("nuovo", raw_html=b"<html><p>Nuovo</p></html>")])
    with opened(old_archive, read_only=True) as con:
        stored = dict(rows(con, "SELECT article_id, html_compressed FROM pages"))
    assert {k: stored[k] for k in old} == old
    assert all(b"<" in page_codec.decompress(blob) for blob in old.values())
    assert stored["nuovo"].startswith(page_codec.ZSTD_MAGIC)
    assert page_codec.decompress(stored["nuovo"]) == b"<html><p>Nuovo</p></html>"


def test_a_step_that_fails_leaves_the_archive_at_the_last_good_version(
    old_archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = [*MIGRATIONS[:2], ("broken step", ["ALTER TABLE articles ADD COLUMN half_done INTEGER",
                                                "SELECT * FROM no_such_table"])]  # fmt: skip
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(broken))
    with pytest.raises(duckdb.Error, match="no_such_table"):
        connect(old_archive)
    monkeypatch.undo()
    con = duckdb.connect(str(old_archive), read_only=True)
    try:
        assert current_version(con) == 2  # step 2 committed, step 3 rolled back whole
        columns = {r[0] for r in rows(con, "SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = 'articles'")}  # fmt: skip
        assert "half_done" not in columns
        assert rows(con, "SELECT count(*) FROM articles") == [(2,)]
    finally:
        con.close()
    with opened(old_archive) as con:  # the real steps then finish the job
        assert current_version(con) == SCHEMA_VERSION


def test_the_near_duplicate_index_keeps_its_entries_across_the_32_bit_band_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index written with 64-bit band hashes (schema version 6) is folded in place: a copy of an
    indexed article still finds it, with no crawl signing the window again."""
    import numpy as np

    from pipeline import near_dupes
    from storage import near_index

    def bands_64(signature: bytes) -> list[int]:  # band hashes as version 6 stored them (BIGINT)
        return near_dupes.band_hashes_64(signature).view(np.int64).tolist()

    text = " ".join(f"parola{i} della partita di ieri sera allo stadio" for i in range(60))
    sig = near_dupes.minhash_signature(text)
    db, now = tmp_path / "archive.duckdb", datetime.now(UTC)
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:6])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 6)
    with opened(db) as con:
        assert rows(con, "SELECT data_type FROM information_schema.columns "
                         "WHERE table_name = 'minhash_bands' AND column_name = 'hash'") == [("BIGINT",)]  # fmt: skip
        entry = near_index.IndexEntry("a1", "curvasud", None, "h1", now, now, sig, bands_64(sig))
        con.execute("INSERT INTO minhash_bands SELECT unnest(range(64))::SMALLINT, unnest(?::BIGINT[]), ?, ?",
                    [entry.bands, entry.sig_id, now])  # fmt: skip
        con.execute("INSERT INTO minhash_signatures VALUES (?, 'a1', 'curvasud', NULL, 'h1', ?, ?, ?, ?)",
                    [entry.sig_id, now, now, near_dupes.SIGNATURE_VERSION, sig])  # fmt: skip
    monkeypatch.undo()
    with opened(db) as con:  # migrated
        assert current_version(con) == SCHEMA_VERSION
        assert rows(con, "SELECT list(hash ORDER BY band) FROM minhash_bands") == [(near_dupes.band_hashes(sig),)]
        found = near_index.candidates(con, [near_dupes.band_hashes(sig)], now - timedelta(days=1),
                                      near_dupes.SIGNATURE_VERSION, near_dupes.MIN_SHARED_BANDS)  # fmt: skip
        assert [c.article_id for c in found] == ["a1"]
