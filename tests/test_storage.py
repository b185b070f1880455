"""Storage: schema, idempotent batches, one outcome per URL, lock handling, exports."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from storage import page_codec
from storage.connection import ArchiveLockedError, WriteSession, connect, opened
from storage.export import export_archive, txt_body
from storage.schema import SCHEMA_VERSION, current_version
from storage.writer import ArchiveWriter

NOW = datetime(2026, 3, 4, 11, 30, tzinfo=UTC)


def article(article_id: str = "a1", text: str = "Il Napoli vince.", **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "article_id": article_id, "outlet": "curvasud", "url": f"https://x.it/{article_id}",
        "canonical_url": f"https://x.it/{article_id}", "url_key": f"x.it/{article_id}", "title": "Titolo",
        "authors": ["Mario Rossi"], "published_at": "2026-03-04T12:30:00+01:00", "published_raw": "x",
        "published_source": "json-ld", "text": text, "language": "it", "language_prob": 0.99, "word_count": 3,
        "content_hash": f"h-{text}", "page_kind": "article", "tags": ["Napoli"], "first_seen_at": NOW,
        "updated_at": NOW, "run_id": "r1", "raw_html": b"<html>" + text.encode() + b"</html>",
        "fetched_at": NOW, "http_status": 200, "content_type": "text/html",
    }  # fmt: skip
    row.update(kw)
    return row


def test_pages_are_kept_as_zstd_and_read_back_as_zstd_or_gzip() -> None:
    """Pages stored before schema step 8 are gzip: both read back; anything else is a clear error."""
    import gzip

    body = b"<html><body><p>Il Napoli vince il derby al Maradona.</p></body></html>" * 50
    packed = page_codec.compress(body)
    assert packed.startswith(page_codec.ZSTD_MAGIC) and len(packed) < len(gzip.compress(body, 3))
    assert page_codec.decompress(packed) == body and page_codec.decompress(gzip.compress(body)) == body
    assert page_codec.decompress(b"") == b"" == page_codec.decompress(None)  # NULL in the column
    for damaged in (packed[:20], gzip.compress(body)[:20], b"<html>not compressed</html>"):
        with pytest.raises(page_codec.PageCodecError):
            page_codec.decompress(damaged)


def reject(url: str = "https://x.it/gone", reason: str = "http_404") -> dict[str, object]:
    return {"url": url, "outlet": "curvasud", "reason": reason, "detail": "", "http_status": 404, "stage": "article",
            "attempts": 1, "first_seen_at": NOW, "seen_at": NOW, "run_id": "r1"}  # fmt: skip


def counts(db: Path) -> tuple[int, int, int]:
    with opened(db, read_only=True) as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "duplicates", "rejects")
        )  # type: ignore[return-value]


def test_new_archive_gets_the_current_schema(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "a.duckdb"
    ArchiveWriter(db).ensure_schema()
    with opened(db, read_only=True) as con:
        assert current_version(con) == SCHEMA_VERSION
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"articles", "duplicates", "rejects", "crawl_runs", "crawl_run_outlets", "pages"} <= tables


def test_same_batch_twice_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    w = ArchiveWriter(db)
    dup = {"url": "https://x.it/a1?utm_source=t", "outlet": "curvasud", "duplicate_of": "a1", "kind": "url",
           "duplicate_of_url": "https://x.it/a1", "similarity": 1.0, "seen_at": NOW, "run_id": "r1"}  # fmt: skip
    first = w.write_batch([article()], [dup], [reject()])
    assert (first.inserted, first.duplicates, first.rejects) == (1, 1, 1)
    second = w.write_batch([article()], [dup], [reject()])
    assert (second.inserted, second.updated, second.unchanged, second.duplicates, second.rejects) == (0, 0, 1, 0, 0)
    assert counts(db) == (1, 1, 1)
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT attempts FROM rejects").fetchone()[0] == 2


def test_changed_text_updates_in_place_and_keeps_first_publication(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    w = ArchiveWriter(db)
    w.write_batch([article()])
    res = w.write_batch([article(text="Il Napoli vince 2-0.", published_at="2026-03-05T10:00:00+01:00")])
    assert (res.inserted, res.updated, res.written_ids) == (0, 1, {"a1"})
    with opened(db, read_only=True) as con:
        text, published = con.execute("SELECT text, published_at FROM articles").fetchone()
        html = con.execute("SELECT html_compressed FROM pages").fetchone()[0]
    assert text == "Il Napoli vince 2-0."
    assert published == datetime(2026, 3, 4, 11, 30, tzinfo=UTC)
    assert page_codec.decompress(html) == b"<html>Il Napoli vince 2-0.</html>"


def test_a_record_and_its_newer_version_in_one_batch_keep_the_newer_text_and_its_page(tmp_path: Path) -> None:
    """The page stored is the one of the version whose text the record holds: the fold's winner's, where
    the batch's own page of the record used to overwrite it (the pages are now written once a batch)."""
    db = tmp_path / "a.duckdb"
    res = ArchiveWriter(db).write_batch([
        article("a1", "Il Napoli vince.", modified_at="2026-03-04T12:30:00+01:00"),
        article("a2", "Il Napoli vince 2-0.", url="https://x.it/a1-agg", modified_at="2026-03-04T14:00:00+01:00",
                duplicate_kind="revision", duplicate_of="a1", similarity=0.9),
    ])  # fmt: skip
    assert (res.inserted, res.updated) == (1, 1)
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT article_id, text, revisions FROM articles").fetchall() == [
            ("a1", "Il Napoli vince 2-0.", 2)
        ]
        pages = con.execute("SELECT article_id, url, html_compressed FROM pages").fetchall()
    assert [(i, u, page_codec.decompress(h)) for i, u, h in pages] == [
        ("a1", "https://x.it/a1-agg", b"<html>Il Napoli vince 2-0.</html>")
    ]


def test_registered_columns_follow_a_select_left_unread() -> None:
    """DuckDB 2 refuses register() while a SELECT's result is unread: the helper ends that result first."""
    import numpy as np

    from storage.sql import registered

    con = duckdb.connect()
    con.execute("SELECT * FROM range(10)")  # not fetched
    with registered(con, "_ids", {"n": np.arange(3)}):
        assert con.execute("SELECT sum(n) FROM _ids").fetchall() == [(3,)]
    with registered(con, "_ids", {"n": np.arange(4)}):  # after a fetched one: no extra statement needed
        assert con.execute("SELECT sum(n) FROM _ids").fetchall() == [(6,)]


def test_a_batchs_keys_are_looked_up_through_the_tables_index_and_see_its_own_changes(tmp_path: Path) -> None:
    """``among``: the writes' lookups of their own keys read the keyed column's ART index, not every
    row group of the table (one per batch ever written), and see the open transaction's rows."""
    from storage.sql import INDEX_LOOKUP_MAX_KEYS, among

    db = tmp_path / "a.duckdb"
    writer = ArchiveWriter(db)
    for b in range(4):  # four batches: four row groups per table
        writer.write_batch([article(f"b{b}-{i}", f"Testo {b} {i}") for i in range(20)],
                           rejects=[reject(f"https://x.it/gone-{b}-{i}") for i in range(20)])  # fmt: skip
    writer.close()
    # More keys than DuckDB's dynamic_or_filter_threshold (50): under it, DuckDB turned the semi join's
    # keys into an IN filter and read the index too; a batch brings hundreds.
    keys = ["b1-3", "b3-19", "nuovo", "b0-0", *(f"nuovo-{i}" for i in range(60))]
    urls = ["https://x.it/gone-2-5", "https://x.it/mai-vista", "https://x.it/gone-0-0",
            *(f"https://x.it/nuova-{i}" for i in range(60))]  # fmt: skip
    with opened(db) as con:
        for table, column, wanted in (("articles", "article_id", keys), ("pages", "article_id", keys),
                                      ("rejects", "url", urls)):  # fmt: skip
            sql = f"SELECT {column} FROM {table} WHERE {among(column, wanted)}"
            plan = con.execute(f"EXPLAIN ANALYZE {sql}", [wanted]).fetchall()[0][1]
            assert "Index Scan" in plan, plan
            assert sorted(r[0] for r in con.execute(sql, [wanted]).fetchall()) == sorted(
                k for k in wanted if k.startswith(("b", "https://x.it/gone"))
            )
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM rejects WHERE url = 'https://x.it/gone-2-5'")
        con.execute("INSERT INTO rejects SELECT * REPLACE ('https://x.it/mai-vista' AS url) FROM rejects "
                    "WHERE url = 'https://x.it/gone-1-1'")  # fmt: skip
        seen = con.execute(f"SELECT url FROM rejects WHERE {among('url', urls)}", [urls]).fetchall()
        assert sorted(r[0] for r in seen) == ["https://x.it/gone-0-0", "https://x.it/mai-vista"]
        assert con.execute(f"DELETE FROM rejects WHERE {among('url', urls)} RETURNING url", [urls]).fetchall()
        assert con.execute(f"SELECT count(*) FROM rejects WHERE {among('url', urls)}", [urls]).fetchall() == [(0,)]
        con.execute("ROLLBACK")
        # Past DuckDB's index_scan_max_count both forms scan: the semi join, cheaper then, same rows.
        many = [*keys, *(f"altro-{i}" for i in range(INDEX_LOOKUP_MAX_KEYS))]
        assert "list_contains" not in among("article_id", many)
        found = con.execute(f"SELECT article_id FROM articles WHERE {among('article_id', many)}", [many]).fetchall()
        assert sorted(r[0] for r in found) == ["b0-0", "b1-3", "b3-19"]


class CountingConnection:
    """A connection that counts the statements run through it (DuckDB's own type takes no wrapper)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.statements = con, 0

    def execute(self, *args: Any) -> duckdb.DuckDBPyConnection:
        self.statements += 1
        return self.con.execute(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def test_a_batch_of_changed_refetches_folds_in_a_few_statements_whatever_its_size(tmp_path: Path) -> None:
    """Each record takes its newest text, or keeps its own when the version is older, in one batch."""
    from storage.revisions import fold_revisions
    from storage.writer import BatchResult

    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).write_batch([article(f"a{i:03d}", f"Testo {i}.", modified_at="2026-03-05T10:00:00+01:00")
                                   for i in range(120)])  # fmt: skip
    statements = []
    for n in (20, 120):
        versions = [
            article(f"v{n}-{i:03d}", f"Testo {i}, {n} versione.", published_at="2026-03-03T09:00:00+01:00",
                    modified_at=f"2026-03-0{4 if i % 2 else 6}T10:00:00+01:00", duplicate_kind="revision",
                    duplicate_of=f"a{i:03d}")
            for i in range(n)
        ]  # fmt: skip
        with opened(db) as con:
            counting = CountingConnection(con)
            result = BatchResult()
            con.execute("BEGIN TRANSACTION")
            fold_revisions(counting, versions, result)  # type: ignore[arg-type]
            con.execute("COMMIT")
        statements.append(counting.statements)
        assert result.updated == n
    assert statements[0] == statements[1]  # per batch, not per version
    with opened(db, read_only=True) as con:
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT article_id, text, revisions, published_at, modified_at FROM articles").fetchall()}  # fmt: skip
    # A later modification wins the text; an earlier one only counts; the first publication stays.
    assert rows["a000"][:2] == ("Testo 0, 120 versione.", 3)
    assert rows["a001"][:2] == ("Testo 1.", 3)
    assert rows["a100"][:2] == ("Testo 100, 120 versione.", 2)
    assert rows["a101"][:2] == ("Testo 101.", 2)
    assert all(published == datetime(2026, 3, 3, 8, 0, tzinfo=UTC) for _, _, published, _ in rows.values())
    assert rows["a000"][3] == datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    assert rows["a101"][3] == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def test_copies_published_first_relink_in_a_few_statements_and_follow_a_chain(tmp_path: Path) -> None:
    """A stored text predated by a copy in the batch, itself predated by another: everything links to the
    earliest, in the articles and in the near-duplicate index, with as many statements for 3 pairs as 30."""
    db = tmp_path / "a.duckdb"
    stored = [article(f"s{i:02d}", f"Testo {i}.") for i in range(30)]
    copies = [article(f"c{i:02d}", f"Testo {i}.", duplicate_of=f"s{i:02d}", duplicate_kind="exact", similarity=1.0)
              for i in range(30)]  # fmt: skip
    ArchiveWriter(db).write_batch(stored + copies)
    with opened(db) as con:
        for n, a in enumerate(stored + copies):
            con.execute(
                "INSERT INTO minhash_signatures (sig_id, article_id, outlet, root_id, content_hash, first_seen_at, "
                "signature_version, signature) VALUES (?, ?, 'curvasud', ?, 'h', now(), 1, '\\x00'::BLOB)",
                [n, a["article_id"], a.get("duplicate_of")],
            )
    statements = []
    for pairs in ([("s00", "y00"), ("y00", "z00"), ("s01", "y01")], [(f"s{i:02d}", f"y{i:02d}") for i in range(2, 30)]):
        with opened(db) as con:
            counting = CountingConnection(con)
            con.execute("BEGIN TRANSACTION")
            ArchiveWriter._relink_first_copies(counting, pairs)  # type: ignore[arg-type]
            con.execute("COMMIT")
        statements.append(counting.statements)
    assert statements[0] == statements[1]
    with opened(db, read_only=True) as con:
        links = dict(con.execute("SELECT article_id, duplicate_of FROM articles").fetchall())
        roots = dict(con.execute("SELECT article_id, root_id FROM minhash_signatures").fetchall())
    assert (links["s00"], links["c00"], roots["s00"], roots["c00"]) == ("z00", "z00", "z00", "z00")
    assert (links["s01"], links["c01"], roots["s01"], roots["c01"]) == ("y01", "y01", "y01", "y01")
    assert (links["s29"], links["c29"], roots["s29"], roots["c29"]) == ("y29", "y29", "y29", "y29")


def test_timestamps_keep_the_instant_and_read_in_rome_time(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).write_batch([article(published_at="2026-07-04T12:30:00+02:00")])
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT strftime(published_at, '%H:%M') FROM articles").fetchone()[0] == "12:30"
        assert con.execute("SELECT published_at::VARCHAR FROM articles").fetchone()[0].endswith("+02")


def test_a_url_that_succeeds_later_leaves_the_rejects(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    w = ArchiveWriter(db)
    w.write_batch(rejects=[reject("https://x.it/a1", "http_500")])
    w.write_batch([article()])
    assert counts(db) == (1, 0, 0)


def test_failed_batch_keeps_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    w = ArchiveWriter(db)
    bad = article("a2")
    bad["outlet"] = None  # NOT NULL violation in the middle of the batch
    with pytest.raises(RuntimeError):
        w.write_batch([article("a1"), bad], rejects=[reject()])
    assert counts(db) == (0, 0, 0)


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold(db: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_reader_waits_for_a_short_lock(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).ensure_schema()
    proc = hold(db, 0.8)
    start = time.monotonic()
    with opened(db, read_only=True, lock_timeout=10) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert time.monotonic() - start >= 0.3
    proc.wait(5)


def test_the_writer_holds_the_file_only_while_it_writes(tmp_path: Path) -> None:
    """Batches go through one DuckDB database that lives on; the archive is detached after each,
    so another process can open it for writing between two batches of the same writer."""
    db = tmp_path / "a.duckdb"
    writer = ArchiveWriter(db)
    writer.write_batch([article("a1")])
    code = "import duckdb, sys; print(duckdb.connect(sys.argv[1]).execute('SELECT count(*) FROM articles').fetchall())"
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[(1,)]"
    writer.write_batch([article("a2", text="Altro testo.")])
    assert counts(db) == (2, 0, 0)
    writer.close()


def test_a_write_again_does_not_inherit_the_settings_of_the_attempt_before(tmp_path: Path) -> None:
    """The session's DuckDB keeps its settings between writes: the retry without a memory limit and
    without the checkpoint at the commit (``write_batch``'s second attempt) must run without them."""
    seen: list[tuple[str, str]] = []
    sql = "SELECT current_setting('memory_limit'), current_setting('checkpoint_threshold')"

    def settings(con: duckdb.DuckDBPyConnection) -> None:
        seen.append(con.execute(sql).fetchall()[0])

    writer = ArchiveWriter(tmp_path / "a.duckdb", memory_limit="64MB")  # DuckDB shows 61.0 MiB
    writer.write_batch([article("a1")], before=settings)  # the lookup's 16MB (LOOKUP_MEMORY_LIMIT)
    writer._write_once([article("a2", text="Altro testo.")], (), (), settings, None, ())
    assert seen == [("15.2 MiB", "0 bytes"), duckdb.connect().execute(sql).fetchall()[0]]


def test_the_lookup_before_a_batch_leaves_little_of_the_index_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """DuckDB keeps the blocks a statement read cached up to the memory limit in force. The lookup
    reads the whole window's band index: under the write's limit the batch's inserts then shared it
    with that cache, under ``LOOKUP_MEMORY_LIMIT`` they find most of it let go. The write's own
    limit is back for the inserts (a batch of 13 MB of pages fits at once)."""
    import storage.writer
    from storage import near_index

    writer = ArchiveWriter(tmp_path / "a.duckdb", memory_limit="64MB")
    # 3.2 million band rows (50,000 versions): a 25,000-page crawl's index.
    writer.write_batch([article("a0")], before=lambda con: con.execute(
        "INSERT INTO minhash_bands (band, hash, sig_id, first_seen_at) "
        "SELECT (i % 64)::SMALLINT, (hash(i) >> 32)::UINTEGER, i // 64, ?::TIMESTAMPTZ FROM range(3200000) t(i)", [NOW]
    ).fetchall())  # fmt: skip
    rng = random.Random(5)
    queries = [[rng.getrandbits(32) for _ in range(64)] for _ in range(250)]
    seen: list[tuple[str, int]] = []
    sql = "SELECT current_setting('memory_limit'), (SELECT sum(memory_usage_bytes) FROM duckdb_memory())::BIGINT"

    def lookup(con: duckdb.DuckDBPyConnection) -> None:
        assert near_index.candidates(con, queries, NOW, 1, 2) == []
        seen.append(con.execute(sql).fetchall()[0])

    rng_pages = random.Random(7)
    pages = [rng_pages.randbytes(150_000) for _ in range(90)]
    with caplog.at_level("WARNING", logger="storage.writer"):
        result = writer.write_batch([article(f"b{i}", text=f"Testo {i}", html_compressed=p)
                                     for i, p in enumerate(pages)], before=lookup)  # fmt: skip
    monkeypatch.setattr(storage.writer, "LOOKUP_MEMORY_LIMIT", "1GB")  # the lookup under the write's limit
    writer.write_batch([article("c1")], before=lookup)
    writer.close()
    assert result.inserted == 90
    (limited, kept), (unlimited, cached) = seen
    assert kept <= 16_000_000 and cached >= 18_000_000  # measured: 9 MB and 20 MB (11 and 35 with 64-bit hashes)
    assert (limited, unlimited) == ("15.2 MiB", "61.0 MiB")
    assert "writing it again" not in caplog.text  # the pages went in under 64MB, not under 16MB


def test_the_writer_has_duckdb_give_back_what_a_write_freed(tmp_path: Path) -> None:
    """jemalloc inside DuckDB keeps up to 128 MB cached after a task and purges only on the next
    allocation by default; between a crawl's batches nothing allocates (storage/connection.py)."""
    seen: list[tuple[str, bool]] = []
    sql = "SELECT current_setting('allocator_flush_threshold'), current_setting('allocator_background_threads')"
    default = duckdb.connect().execute(sql).fetchall()[0]
    writer = ArchiveWriter(tmp_path / "a.duckdb")
    writer.write_batch([article("a1")], before=lambda con: seen.append(con.execute(sql).fetchall()[0]))
    writer.close()
    assert default == ("134217728B", False)  # 128 MiB
    assert seen == [("4MB", True)]


def test_long_lock_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).ensure_schema()
    proc = hold(db, 5)
    try:
        with pytest.raises(ArchiveLockedError, match=r"a\.duckdb is held by (process \d+|another process)"):
            connect(db, lock_timeout=0.5)
    finally:
        proc.kill()
        proc.wait(5)


def test_a_writer_refused_by_a_lock_writes_its_next_batch(tmp_path: Path) -> None:
    """The writer's DuckDB outlives a failed attach: the batch after the lock goes is written."""
    db = tmp_path / "a.duckdb"
    writer = ArchiveWriter(db, lock_timeout=0.3)
    writer.write_batch([article("a1")])
    proc = hold(db, 5)
    try:
        with pytest.raises(ArchiveLockedError):
            writer.write_batch([article("a2", text="Altro testo.")])
    finally:
        proc.kill()
        proc.wait(5)
    writer.write_batch([article("a2", text="Altro testo.")])
    assert counts(db) == (2, 0, 0)


def test_exports(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).write_batch([article("a1"), article("a2", text="La Juve pareggia.", outlet="tribuna")])
    assert export_archive(db, "parquet", tmp_path / "a.parquet") == 2
    assert (
        duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(tmp_path / "a.parquet")]).fetchone()[0]
        == 2
    )
    assert export_archive(db, "csv", tmp_path / "a.csv", outlets=["tribuna"]) == 1
    assert export_archive(db, "jsonl", tmp_path / "a.jsonl") == 2
    lines = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert {x["text"] for x in lines} == {"Il Napoli vince.", "La Juve pareggia."}
    assert export_archive(db, "txt", tmp_path / "txt", since="2026-03-04") == 2
    files = sorted((tmp_path / "txt").iterdir())
    assert files[0].name == "2026-03-04_curvasud_a1.txt"
    assert files[0].read_text() == "date 2026-03-04 Titolo\n\nIl Napoli vince.\n"


def test_txt_body_shape() -> None:
    assert txt_body(None, "T", " testo ") == "date unknown T\n\ntesto\n"


def test_raw_pages_are_stored_as_they_are_and_long_text_skips_dictionary_analysis(tmp_path: Path) -> None:
    """Checkpoints after every batch re-analysed encodings that never pay on these columns (issue 5)."""
    db = tmp_path / "a.duckdb"
    html = b"<html><body>" + b"<p>Il Napoli vince ancora al Maradona.</p>" * 2000 + b"</body></html>"
    rows = [article(f"a{i}", text=f"Testo numero {i}. " * 500, raw_html=html) for i in range(50)]
    ArchiveWriter(db).write_batch(rows)
    with opened(db) as con:
        assert con.execute("SELECT current_setting('disabled_compression_methods')").fetchall()[0][0]
    with opened(db, read_only=True) as con:
        used = dict(con.execute("SELECT column_name, list(DISTINCT compression) FROM pragma_storage_info('pages') "
                                "WHERE segment_type = 'BLOB' GROUP BY ALL").fetchall())  # fmt: skip
        assert used == {"html_compressed": ["Uncompressed"]}
        text = con.execute("SELECT list(DISTINCT compression) FROM pragma_storage_info('articles') "
                           "WHERE column_name = 'text' AND segment_type = 'VARCHAR'").fetchall()[0][0]  # fmt: skip
        assert "FSST" not in text and "Dictionary" not in text
        assert page_codec.decompress(con.execute("SELECT html_compressed FROM pages LIMIT 1").fetchall()[0][0]) == html


def test_batch_inserts_keep_every_value_as_it_was() -> None:
    """Rows reach DuckDB as NumPy object columns: lists stay whole, whatever their length, and a
    column that is NULL for a long stretch before its first value still takes it."""
    from storage.sql import insert_rows

    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR, l VARCHAR[], b BLOB, n BIGINT, x DOUBLE, ts TIMESTAMPTZ)")
    rows: list[list[object]] = [
        ["a", ["x", "y"], b"\x00\x01", 2**62, 1, NOW],
        ["b", ["z", "w"], b"", None, 0.5, "2026-03-04T12:30:00+01:00"],
        ["c", ["solo"], None, 7, None, None],
        ["d", [], b"\xff", -1, 2.5, NOW],
    ]
    rows += [[None, None, None, None, None, None]] * 1500 + [["late", ["l"], b"l", 1, 1.5, NOW]]
    insert_rows(con, "t", ("s", "l", "b", "n", "x", "ts"), rows)
    got = con.execute("SELECT s, l, b, n, x, epoch(ts) FROM t WHERE s IS NOT NULL ORDER BY s").fetchall()
    stamp = NOW.timestamp()
    assert got == [
        ("a", ["x", "y"], b"\x00\x01", 2**62, 1.0, stamp), ("b", ["z", "w"], b"", None, 0.5, stamp),
        ("c", ["solo"], None, 7, None, None), ("d", [], b"\xff", -1, 2.5, stamp), ("late", ["l"], b"l", 1, 1.5, stamp),
    ]  # fmt: skip
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(1505,)]


def test_the_writer_does_not_load_pyarrow() -> None:
    """pyarrow's libraries are 68 MB resident in the crawl process; the batch inserts do without them."""
    code = "import sys, storage.writer, pipeline.store_stage; print('pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_writes_append_small_row_groups(tmp_path: Path) -> None:
    """A checkpoint rewrites the last row group whole: small groups keep a write's cost and memory flat."""
    from storage.connection import WRITE_ROW_GROUP_SIZE

    db = tmp_path / "a.duckdb"
    writer = ArchiveWriter(db)
    for batch in range(3):
        writer.write_batch([article(f"b{batch}-{i}", text=f"Testo {batch} {i}") for i in range(2000)])
    with opened(db, read_only=True) as con:
        groups = con.execute("SELECT count(DISTINCT row_group_id), max(count) FROM pragma_storage_info('pages') "
                             "WHERE column_name = 'html_compressed'").fetchall()[0]  # fmt: skip
    assert groups[0] >= 6000 // WRITE_ROW_GROUP_SIZE and groups[1] <= WRITE_ROW_GROUP_SIZE


def test_a_batch_over_the_memory_limit_is_written_again_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit bounds a write's memory; a batch that cannot fit under it costs time, never rows."""
    import storage.writer

    monkeypatch.setattr(storage.writer, "PAYLOAD_FACTOR", 0)  # the limit as set, whatever the pages
    db = tmp_path / "a.duckdb"
    rows = [article(f"a{i}", text=f"Testo {i}", raw_html=bytes([i]) * 300_000) for i in range(20)]
    with caplog.at_level("WARNING", logger="storage.writer"):
        result = ArchiveWriter(db, memory_limit="1MB").write_batch(rows, rejects=[reject()])
    assert result.inserted == 20 and result.rejects == 1
    assert "writing it again without the limit" in caplog.text  # the limited attempt did fail
    assert counts(db) == (20, 0, 1)
    with opened(db, read_only=True) as con:
        sizes = con.execute("SELECT count(*), sum(octet_length(html_compressed)) > 0 FROM pages").fetchone()
        assert sizes == (20, True)


@pytest.mark.parametrize("factor", [0, None])
def test_a_batch_whose_commit_ran_out_of_memory_is_written_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, factor: int | None
) -> None:
    """The COMMIT flushes the batch's pages; out of memory there, DuckDB fails the commit and
    invalidates its database. The batch is written again, on a new DuckDB, and so is the next one.
    With the limit raised to ``PAYLOAD_FACTOR`` times the pages (as by default), it is written once."""
    import storage.writer

    if factor is not None:
        monkeypatch.setattr(storage.writer, "PAYLOAD_FACTOR", factor)
    db = tmp_path / "a.duckdb"
    rng = random.Random(7)
    pages = [rng.randbytes(150_000) for _ in range(90)]  # gzip that does not shrink: 13 MB under a 24 MB limit
    writer = ArchiveWriter(db, memory_limit="24MB")
    with caplog.at_level("WARNING", logger="storage.writer"):
        result = writer.write_batch([article(f"a{i}", text=f"Testo {i}", html_compressed=page)
                                     for i, page in enumerate(pages)])  # fmt: skip
    assert result.inserted == 90
    if factor == 0:
        assert "writing it again without the limit" in caplog.text and "failed to pin block" in caplog.text
    else:
        assert "writing it again" not in caplog.text
    assert writer.write_batch([article("b1", text="Dopo.")]).inserted == 1
    assert counts(db) == (91, 0, 0)
    with opened(db, read_only=True) as con:
        stored = dict(con.execute("SELECT article_id, html_compressed FROM pages").fetchall())
    assert [stored[f"a{i}"] for i in range(90)] == pages and "b1" in stored


@pytest.mark.parametrize("message", [
    "TransactionContext Error: Failed to commit: failed to pin block of size 256.0 KiB (22.6 MiB/22.8 MiB used)",
    "TransactionContext Error: Failed to commit: could not allocate block of size 836.0 KiB (29.7 MiB/30.5 MiB used)",
    "Out of Memory Error: failed to allocate data of size 16.0 MiB (239.2 MiB/244.1 MiB used)",
])  # fmt: skip
def test_out_of_memory_is_told_by_duckdbs_message_too(message: str) -> None:
    """DuckDB reports a COMMIT out of memory as a TransactionException: the writer still retries."""
    from storage.writer import _out_of_memory

    assert _out_of_memory(duckdb.TransactionException(message))
    assert _out_of_memory(duckdb.OutOfMemoryException("Out of Memory Error"))
    assert not _out_of_memory(duckdb.TransactionException("TransactionContext Error: Conflict on update"))
    assert not _out_of_memory(ValueError("failed to pin block"))  # not DuckDB's


def test_a_batch_of_large_pages_gets_a_limit_to_match() -> None:
    from storage.writer import PAYLOAD_FACTOR, limit_bytes, write_limit

    assert (limit_bytes("64MB"), limit_bytes("1GiB"), limit_bytes("0.5 GB"), limit_bytes("lots")) == (
        64_000_000, 2**30, 500_000_000, None)  # fmt: skip
    small = [article(f"a{i}", html_compressed=b"x" * 50_000) for i in range(10)]
    large = [article(f"a{i}", text="t" * 1_000_000, html_compressed=b"x" * 2_000_000) for i in range(10)]
    assert write_limit("64MB", small) == "64MB"
    assert write_limit("64MB", large) == f"{PAYLOAD_FACTOR * 30_000_000}B"
    assert write_limit(None, large) is None and write_limit("lots", large) == "lots"  # not ours to judge


def test_the_lookup_gets_the_lower_of_its_limit_and_the_writes() -> None:
    from storage.writer import LOOKUP_MEMORY_LIMIT, lookup_limit

    assert LOOKUP_MEMORY_LIMIT == "16MB"
    assert (lookup_limit("64MB"), lookup_limit("270000000B"), lookup_limit("1GiB")) == ("16MB", "16MB", "16MB")
    assert (lookup_limit("8MB"), lookup_limit("16MB")) == ("8MB", "16MB")  # a write set lower keeps its own
    assert lookup_limit(None) is None and lookup_limit("lots") == "lots"  # DuckDB's default, or not ours to judge


class _CheckpointFails:
    """A connection whose checkpoint fails after the commit, as DuckDB's does when memory runs out."""

    def __init__(self, con: duckdb.DuckDBPyConnection, where: str) -> None:
        self.con, self.where = con, where

    def execute(self, sql: str, *args: object) -> object:
        result = self.con.execute(sql, *args)
        if sql == "COMMIT" and self.where == "commit":
            raise duckdb.IOException("IO Error: Transaction COMMIT succeeded and is durable, but the "
                                     "autocheckpoint failed. Checkpoint failed: could not allocate block")  # fmt: skip
        return result

    def __getattr__(self, name: str) -> object:
        return getattr(self.con, name)


class _CheckpointFailsSession(WriteSession):
    """A write session whose connection is a ``_CheckpointFails``; with ``where="detach"``, the
    checkpoint of the detach (after the batch's commit) is the one that fails."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def attach(self, *args: Any, **kwargs: Any) -> Any:
        return _CheckpointFails(super().attach(*args, **kwargs), self.where)

    def detach(self) -> None:
        super().detach()
        if self.where == "detach":
            raise duckdb.OutOfMemoryException("Out of Memory Error: checkpoint: could not allocate block")


@pytest.mark.parametrize("where", ["commit", "detach"])
def test_a_batch_committed_before_its_checkpoint_failed_counts_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, where: str
) -> None:
    """DuckDB keeps a committed batch in its WAL when the checkpoint after it fails: not an error."""
    import storage.writer

    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).ensure_schema()
    monkeypatch.setattr(storage.writer, "WriteSession", lambda: _CheckpointFailsSession(where))
    with caplog.at_level("WARNING", logger="storage.writer"):
        result = ArchiveWriter(db).write_batch([article("a1"), article("a2", text="Altro testo.")])
    assert (result.inserted, result.written_ids) == (2, {"a1", "a2"})
    assert "checkpoint left to the next open" in caplog.text
    assert counts(db) == (2, 0, 0)


def test_a_batch_checkpoints_at_its_commit_into_row_groups_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page is written once: not to the WAL first, and not again by merges of earlier batches' groups."""
    import storage.writer

    db = tmp_path / "a.duckdb"
    wal = Path(f"{db}.wal")
    ArchiveWriter(db).ensure_schema()
    after_commit: list[bool] = []

    class Spy:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con = con

        def execute(self, sql: str, *args: object) -> object:
            result = self.con.execute(sql, *args)
            if sql == "COMMIT":
                after_commit.append(wal.exists() and wal.stat().st_size > 0)
            return result

        def __getattr__(self, name: str) -> object:
            return getattr(self.con, name)

    class SpySession(WriteSession):
        def attach(self, *args: Any, **kwargs: Any) -> Any:
            return Spy(super().attach(*args, **kwargs))

    monkeypatch.setattr(storage.writer, "WriteSession", SpySession)
    writer = ArchiveWriter(db)
    for batch in range(4):
        writer.write_batch([article(f"b{batch}-{i}", text=f"Testo {batch} {i}") for i in range(300)])
    assert after_commit == [False] * 4  # nothing left in a WAL for the close to copy
    writer.start_run("r2", ["curvasud"], None)  # another write (as enrich's after a crawl) merges nothing either
    with opened(db, read_only=True) as con:
        groups = con.execute("SELECT list(DISTINCT count) FROM pragma_storage_info('pages') "
                             "WHERE column_name = 'html_compressed'").fetchall()[0][0]  # fmt: skip
        assert con.execute("SELECT count(*) FROM pages").fetchone() == (1200,)
    assert groups == [300]  # four groups of one batch each, never merged into one of 1,200


def test_a_write_that_spills_does_so_beside_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer's DuckDB is an in-memory one with the archive attached: by default it would spill
    to ``.tmp`` in whatever folder the crawl was started from."""
    started_in = tmp_path / "cwd"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    db = tmp_path / "archive" / "a.duckdb"
    spilled: list[str] = []

    def group_a_million(con: duckdb.DuckDBPyConnection) -> None:  # under the lookup's 16MB: it must spill
        sql = "SELECT s, count(*) FROM (SELECT md5(range::VARCHAR) s FROM range(1000000)) GROUP BY s"
        con.execute(sql).fetchmany(1)
        spilled.extend(p.name for p in Path(f"{db}.tmp").iterdir())

    writer = ArchiveWriter(db)
    assert writer.write_batch([article("a1")], before=group_a_million).inserted == 1
    writer.close()
    assert spilled and not (started_in / ".tmp").exists()
