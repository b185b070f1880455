"""Compaction: the archive copied into a fresh file, without the space deleted rows and freed blocks hold.

DuckDB never shrinks a database file, and the crawl's batch writes do not merge row groups
(storage.writer.BATCH_CHECKPOINT), so the raw page a revision replaced, a reject that later
succeeded and the near-duplicate index rows that left the window keep their bytes. DuckDB's own
answer is to copy the database (``COPY FROM DATABASE``): the copy holds the live rows only, in
full-size row groups, with its indexes and views rebuilt.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from storage.connection import DEFAULT_LOCK_TIMEOUT, ArchiveError, connect
from storage.sql import literal, one

logger = logging.getLogger(__name__)

COMPACT_SUFFIX = ".compacting"
"""The copy is written next to the archive (same file system, so the swap is one rename)."""


@dataclass(frozen=True)
class CompactResult:
    bytes_before: int
    bytes_after: int
    rows: dict[str, int]
    """Rows per table (``schema.table``), the same in the old file and the new."""


def _rows(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? AND NOT temporary ORDER BY ALL",
        [catalog],
    ).fetchall()
    counts: dict[str, int] = {}
    for schema, table in tables:
        (n,) = one(con, f'SELECT count(*) FROM "{catalog}"."{schema}"."{table}"') or (0,)
        counts[f"{schema}.{table}"] = int(n)
    return counts


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def compact_archive(path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> CompactResult:
    """Copy the archive into a new file and put it in the old one's place; returns sizes and row counts.

    The archive stays locked for writing from the first read to the swap, so no batch can land in
    the old file after it was copied. The old file is replaced only once the copy holds the same
    rows in every table; anything short of that (a full disk, Ctrl-C, a DuckDB error) removes the
    copy and leaves the archive as it was. Raises ArchiveError or ArchiveLockedError.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"no archive at {path}: nothing to compact")
    copy = path.with_name(path.name + COMPACT_SUFFIX)
    _remove(copy)  # left by a compaction that was killed: never the archive itself
    con = connect(path, lock_timeout=lock_timeout)
    try:
        con.execute("CHECKPOINT")  # the WAL folded into the file: none of it may outlive the swap
        before = path.stat().st_size
        free = shutil.disk_usage(path.parent).free
        if free < before:
            raise ArchiveError(f"compacting {path} needs up to {before >> 20} MB free next to it, "
                               f"{free >> 20} MB are")  # fmt: skip
        rows = _rows(con, "archive")
        try:
            con.execute(f"ATTACH {literal(str(copy))} AS compacted")
            try:
                con.execute("COPY FROM DATABASE archive TO compacted")
                copied = _rows(con, "compacted")
            finally:
                con.execute("DETACH compacted")  # checkpoints and closes the copy
            if copied != rows:
                lost = {t: (n, copied.get(t)) for t, n in rows.items() if copied.get(t) != n}
                raise ArchiveError(f"the copy of {path} does not hold the same rows, archive left as it was: {lost}")
            _fsync(copy)
            wal = Path(f"{path}.wal")
            if wal.exists() and wal.stat().st_size:
                raise ArchiveError(f"{path} has a write-ahead log left after the checkpoint; archive left as it was")
            os.replace(copy, path)  # still holding the old file: no writer can open it in between
            _fsync(path.parent)
        except duckdb.Error as exc:
            raise ArchiveError(f"cannot compact {path}, archive left as it was: {exc}") from exc
        finally:
            _remove(copy)
    finally:
        con.close()
    after = path.stat().st_size
    logger.info("compacted %s: %d -> %d bytes", path, before, after)
    return CompactResult(before, after, rows)
