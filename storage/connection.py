"""Opening the archive file: lock-aware, short-lived connections.

DuckDB lets one process hold a file for writing and refuses every other process meanwhile,
readers included. So nobody keeps the file open: the crawl opens it per batch, readers per
query, and whoever meets the lock waits a little and tries again.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

import duckdb

from storage.schema import migrate
from storage.sql import literal, one  # noqa: F401  (one re-exported: the helper readers use)

logger = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT = 30.0
"""Seconds to keep retrying a locked archive. A crawl batch holds the file for milliseconds;
30 s covers a slow disk or an analyst's long query without hanging a scheduled job forever."""

DISPLAY_TIMEZONE = "Europe/Rome"
"""Timestamps are stored as instants; readers see them in the outlets' own time zone."""

DISABLED_COMPRESSION = "fsst,dictionary,dict_fsst"
"""String compressions a writing connection does not try. Every batch closes the archive and the
close checkpoints; DuckDB then analyses the dictionary and FSST encodings again over the last,
growing part of each table, which for long strings (article text) cost seconds per batch and grew
with the archive: 24 batches of 500 rows of 8 KB texts took 21 s of checkpoints with them, 4.8 s
without (the text goes to ZSTD, and the file was smaller too). A 20,000-page crawl spent 18.9% of
its wall time in DuckDB before (benchmarks/throughput.py). Short strings (outlet, URL) are stored
plain instead of dictionary-encoded: a few bytes more per row. It is a setting of the writing
connection, not of the file: every DuckDB client reads the columns whatever their encoding."""

WRITE_ROW_GROUP_SIZE = 2048
"""Rows per row group in what a writing connection appends (DuckDB's default is 122,880). A batch
appends to the last row group, and its checkpoint rewrites that row group whole: with raw pages of
70 KB, a 16,000-page archive rewrote 1.1 GB and held it in memory (3 GB resident) at every
doubling of its file, so both the time and the memory of a write grew with the archive. 2,048 rows
(DuckDB's vector size) bound that rewrite to a few batches' worth; analysts' scans see more, smaller
row groups, which costs them nothing measurable at this archive's sizes."""

ATTACHED = "archive"
"""The name a writing connection gives the attached archive file."""

T = TypeVar("T")

_LOCK_HINTS = ("could not set lock", "conflicting lock", "lock on file", "database is locked")


class ArchiveLockedError(RuntimeError):
    """Another process held the archive for longer than the lock timeout."""


class ArchiveError(RuntimeError):
    """The archive cannot be opened or written (missing, unwritable, corrupt, disk full)."""


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(h in text for h in _LOCK_HINTS)


def lock_holder(exc: BaseException) -> str:
    """The holder DuckDB names in its lock message ("PID 1234"), or '' when it does not say."""
    m = re.search(r"PID (\d+)", str(exc))
    return f"process {m.group(1)}" if m else ""


def _attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The archive attached with ``WRITE_ROW_GROUP_SIZE``-row groups, as the connection's default catalog."""
    con.execute(f"ATTACH {literal(str(path))} AS {ATTACHED} (ROW_GROUP_SIZE {WRITE_ROW_GROUP_SIZE})")
    con.execute(f"USE {ATTACHED}")


def _open_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    try:
        _attach(con, path)
    except Exception:
        con.close()
        raise
    return con


def _waiting_for_the_lock(path: Path, lock_timeout: float, open_it: Callable[[], T]) -> T:
    """``open_it()``, tried again while another process holds ``path``, for up to ``lock_timeout`` s.

    Raises ArchiveLockedError naming the file and the holder, or ArchiveError for anything else.
    """
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            return open_it()
        except duckdb.Error as exc:
            if not is_lock_error(exc):
                raise ArchiveError(f"cannot open {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                holder = lock_holder(exc) or "another process"
                raise ArchiveLockedError(
                    f"{path} is held by {holder} for more than {lock_timeout:.0f}s; "
                    "another crawl is probably writing to it"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _prepare_for_writing(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"SET TimeZone = '{DISPLAY_TIMEZONE}'")
    con.execute(f"SET disabled_compression_methods = '{DISABLED_COMPRESSION}'")
    con.execute("SET max_vacuum_tasks = 0")  # storage.writer.BATCH_CHECKPOINT says why
    migrate(con)


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"cannot create the folder of {path}: {exc}") from exc


def connect(
    path: str | Path,
    read_only: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> duckdb.DuckDBPyConnection:
    """Open the archive, waiting up to ``lock_timeout`` seconds while another process holds it.

    A writable connection also creates the file (and its folder) and migrates the schema.
    Raises ArchiveLockedError naming the file and the holder, or ArchiveError for anything else.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise ArchiveError(f"no archive at {path}: run `sportnews crawl` first or pass --db")
    if read_only:
        con = _waiting_for_the_lock(path, lock_timeout, lambda: duckdb.connect(str(path), read_only=True))
    else:
        _make_folder(path)
        con = _waiting_for_the_lock(path, lock_timeout, lambda: _open_for_writing(path))
    try:
        if read_only:
            con.execute(f"SET TimeZone = '{DISPLAY_TIMEZONE}'")
        else:
            _prepare_for_writing(con)
    except Exception:
        con.close()
        raise
    return con


ALLOCATOR_CONFIG = {"allocator_flush_threshold": "4MB", "allocator_background_threads": True}
"""DuckDB's jemalloc, told to give back what a write freed. By default it keeps up to 128 MB of
freed memory cached after a task, and with no background threads it purges only when DuckDB
allocates again: between the crawl's batches the write thread sleeps, and a 20,000-page crawl's
process rose from 295 to 350 MB resting, batch after batch. With both settings it stayed at
240-260 MB (sampled every 5 s; the peaks during a write are the same). Both settings are
process-wide: jemalloc is one per process."""


class WriteSession:
    """One in-memory DuckDB for a writer's life, with the archive attached only for each write.

    A new DuckDB database costs about 19 ms of CPU to create (its catalog of built-in functions),
    which the crawl paid at every batch; attaching the archive to one that lives on and detaching
    it after the write costs 2 ms. The file is held only while attached, as before: DETACH lets
    the lock go (and checkpoints what the WAL holds), so readers get in between batches.
    Settings made on the session outlive a write: whoever sets one sets it at every write.
    """

    def __init__(self) -> None:
        self._db: duckdb.DuckDBPyConnection | None = None

    def attach(self, path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> duckdb.DuckDBPyConnection:
        """The session's connection with the archive attached, created and migrated, as default catalog."""
        path = Path(path)
        _make_folder(path)
        if self._db is None:
            # An in-memory database spills to ".tmp" in the working directory, wherever the crawl was
            # started; a database opened from its file spills beside it: so does the session.
            self._db = duckdb.connect(config={**ALLOCATOR_CONFIG, "temp_directory": f"{path}.tmp"})
        db = self._db
        try:
            _waiting_for_the_lock(path, lock_timeout, lambda: _attach(db, path))
            _prepare_for_writing(db)
        except Exception:
            # Whatever was left attached goes with the database; the next write starts afresh.
            with suppress(Exception):  # the error that matters is the one raised here
                self.close()
            raise
        return db

    def detach(self) -> None:
        """Let the archive go. On any error the session's database is closed too (the next write
        makes a new one), so a detach that failed halfway never leaves the file held; the error
        is raised for the caller to judge (a checkpoint that failed after a COMMIT)."""
        if self._db is None:
            return
        try:
            self._db.execute("USE memory")
            self._db.execute(f"DETACH {ATTACHED}")
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()


@contextmanager
def opened(
    path: str | Path, read_only: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``connect`` as a context manager that always closes, so the lock is released at once."""
    con = connect(path, read_only=read_only, lock_timeout=lock_timeout)
    try:
        yield con
    finally:
        con.close()
