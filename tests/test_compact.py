"""``sportnews compact``: the archive copied without dead rows, swapped in only when every row made it."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.runlock import RunLock
from storage import compact as compact_module
from storage import page_codec
from storage.compact import compact_archive
from storage.connection import ArchiveError, opened
from storage.writer import ArchiveWriter
from tests.test_storage import article, hold, reject


def page(seed: str, size: int = 20_000) -> bytes:
    """Incompressible bytes, so that the gzipped raw page keeps its size in the file."""
    return random.Random(seed).randbytes(size)


def revised_archive(db: Path, n: int = 600) -> None:
    """``n`` articles written in batches, then every one re-fetched with a new text and a new page."""
    writer = ArchiveWriter(db)
    for start in range(0, n, 200):
        ids = range(start, start + 200)
        writer.write_batch([article(f"a{i}", text=f"Testo {i}", raw_html=page(f"a{i}")) for i in ids],
                           rejects=[reject(f"https://x.it/a{i}") for i in ids])  # fmt: skip
    for start in range(0, n, 200):
        ids = range(start, start + 200)
        writer.write_batch([article(f"a{i}", text=f"Testo nuovo {i}", raw_html=page(f"b{i}")) for i in ids])


def snapshot(db: Path) -> tuple[object, ...]:
    with opened(db, read_only=True) as con:
        return (
            con.execute("SELECT article_id, text, revisions FROM articles ORDER BY ALL").fetchall(),
            con.execute("SELECT article_id, md5(html_compressed) FROM pages ORDER BY ALL").fetchall(),
            con.execute("SELECT count(*) FROM rejects").fetchone(),
            con.execute("SELECT index_name FROM duckdb_indexes() ORDER BY ALL").fetchall(),
            con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL").fetchall(),
        )


def test_compact_gives_back_the_space_of_replaced_pages_and_keeps_every_row(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    revised_archive(db)
    before = snapshot(db)
    assert len(before[1]) == 600 and before[2] == (0,)  # one page per article; the rejects settled
    size = db.stat().st_size

    result = compact_archive(db)

    assert result.bytes_before == size and result.bytes_after == db.stat().st_size
    assert result.bytes_after < 0.7 * size  # 600 replaced pages of 20 KB were dead weight
    assert result.rows["main.articles"] == 600 and result.rows["main.pages"] == 600
    assert snapshot(db) == before  # rows, pages, indexes and views all there
    assert not list(tmp_path.glob("*.compacting*")) and not Path(f"{db}.wal").exists()
    # The archive goes on as before: the next batch is written and read back.
    ArchiveWriter(db).write_batch([article("z1", text="Dopo la compattazione", raw_html=b"<p>z</p>")])
    with opened(db, read_only=True) as con:
        (html,) = con.execute("SELECT html_compressed FROM pages WHERE article_id = 'z1'").fetchone()
        assert page_codec.decompress(html) == b"<p>z</p>"
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (601,)


def test_a_copy_that_lost_rows_is_never_swapped_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.duckdb"
    revised_archive(db, n=200)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    real = compact_module._rows

    def short_copy(con: object, catalog: str) -> dict[str, int]:
        rows = real(con, catalog)  # type: ignore[arg-type]
        return {**rows, "main.pages": rows["main.pages"] - 1} if catalog == "compacted" else rows

    monkeypatch.setattr(compact_module, "_rows", short_copy)
    with pytest.raises(ArchiveError, match=r"does not hold the same rows, archive left as it was.*main\.pages"):
        compact_archive(db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert not list(tmp_path.glob("*.compacting*"))


def test_compact_command_reports_and_gives_way_to_crawls_and_writers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.duckdb"
    revised_archive(db, n=200)
    assert main(["compact", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"compacted {db}:" in out and "the same before and after" in out

    with RunLock(db):  # a crawl is running
        assert main(["compact", "--db", str(db), "--lock-timeout", "0.2"]) == 3
    assert "a crawl is running" in capsys.readouterr().err

    proc = hold(db, 5)  # another process holds the archive itself
    try:
        assert main(["compact", "--db", str(db), "--lock-timeout", "0.5"]) == 3
        assert "is held by" in capsys.readouterr().err
    finally:
        proc.kill()
        proc.wait(5)

    assert main(["compact", "--db", str(tmp_path / "none.duckdb")]) == 3
    assert "no archive at" in capsys.readouterr().err
