"""Small SQL helpers shared by the storage modules (no imports of our own, so anyone may use them)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def utc_from_micros(micros: int) -> datetime:
    """A time held as microseconds since the epoch, as a UTC datetime.

    For times read as DuckDB's ``epoch_us`` (cheaper than letting DuckDB build a datetime, with its
    own time zone object, for every row when few are used) or packed in an int64 array.
    """
    return EPOCH + micros * MICROSECOND


NO_TIME = -(2**63)
"""``micros_of`` for no time: NumPy's least int64, a value no real time takes."""


def micros_of(when: datetime | None) -> int:
    """Microseconds since the epoch, for packing a time in an int64 array (``NO_TIME`` for None; a
    time without a zone is taken as UTC, as the archive stores it); ``utc_from_micros`` reads it back."""
    if when is None:
        return NO_TIME
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - EPOCH) // MICROSECOND


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of a query, or None, with the result fully consumed.

    DuckDB 2 refuses the next statement on a connection (``register`` included) while a result is
    only partly fetched, so ``execute(...).fetchone()`` inside a write transaction breaks the batch.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def placeholders(n: int) -> str:
    """``?, ?, ...``: the parameters of an ``IN (...)`` list of ``n`` values."""
    return ", ".join("?" * n)


INDEX_LOOKUP_MAX_KEYS = 2048
"""Keys up to which ``among`` asks DuckDB for index lookups: its ``index_scan_max_count`` default,
beyond which DuckDB scans the table anyway."""


def among(column: str, keys: Sized, sql_type: str = "VARCHAR") -> str:
    """A condition: ``column`` is one of ``keys``, bound as one list parameter (``[keys]``).

    For the batch writes' lookups of their own keys in a keyed column (``article_id``, ``url``).
    DuckDB answers ``list_contains(?, column)`` from the column's ART index (a primary key or an
    index), reading only the row groups of the keys it finds; ``column IN (SELECT unnest(?))``, a
    semi join, scans the whole column. A crawl's table grows a row group per write batch, each in
    blocks of its own, so that scan read a block per batch the archive had ever taken: on a
    20,000-page crawl's archive (80 row groups), looking up a batch of 500 keys of which 10 existed
    read 24 MB of blocks in 17-19 ms, the index 6 MB in 7-10 ms (a DELETE of pages or rejects: 25 MB
    in 16-25 ms against 4-5 MB in 6-8). DuckDB turns a semi join's keys into such a lookup itself
    only up to ``dynamic_or_filter_threshold`` (50) of them; a batch brings hundreds. Beyond
    ``INDEX_LOOKUP_MAX_KEYS`` DuckDB scans either form, and ``list_contains`` tested on every row
    costs more than the semi join's hash (20,000 keys: 125 ms against 36), so the semi join it is.
    """
    if len(keys) > INDEX_LOOKUP_MAX_KEYS:
        return f"{column} IN (SELECT unnest(?::{sql_type}[]))"
    return f"list_contains(?::{sql_type}[], {column})"


def literal(text: str) -> str:
    """``text`` as an SQL string literal, for the statements that take no parameters (ATTACH, SET)."""
    return "'" + text.replace("'", "''") + "'"


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
    conflict: str = "",
) -> list[tuple[Any, ...]]:  # fmt: skip
    """Insert many rows with one statement over NumPy object columns.

    ``executemany`` converts every value under the GIL, row by row; during a crawl the reactor thread
    holds the GIL most of the time, and a 50-row batch took seconds (benchmarks/throughput.py). One
    ``INSERT ... SELECT`` over the columns, registered as a dict of NumPy arrays, converts in C and
    casts to the table's types. NumPy and not Arrow: the speed is the same (250 articles and their
    pages: 16-18 ms of CPU either way), and importing pyarrow put 68 MB of libraries in the crawl
    process for this alone. ``table``, ``columns`` and ``conflict`` are our own constants, never
    user input; the values are bound through the arrays. Returns what the statement returns (the
    rows of a ``RETURNING`` clause in ``conflict``; for a plain insert, DuckDB's count of rows).
    """
    if not rows:
        return []
    with registered(con, "_batch", object_columns(columns, rows)):
        return con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _batch {conflict}"
        ).fetchall()  # DuckDB 2 wants a statement's result consumed before the next one


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, np.ndarray]) -> Iterator[None]:
    """NumPy columns as a view named ``name`` for the statements inside the block.

    Integers cross into DuckDB without per-value work, objects are converted in C. DuckDB 2 refuses
    ``register`` while a SELECT's result is left unread on the connection; another statement ends
    that result, so one is run then, and only then: run before every register, as it was, it took
    ten statements a write batch (3.6 ms of CPU a batch at the end of a 20,000-page crawl).
    """
    try:
        con.register(name, columns)
    except duckdb.ResourceInUseException:
        con.execute("SELECT 1").fetchall()
        con.register(name, columns)
    try:
        yield
    finally:
        con.unregister(name)


def object_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, np.ndarray]:
    """Rows as ``registered`` columns: one NumPy object array per column, lists kept whole (``np.array``
    would nest them), for DuckDB to convert in C and cast to the columns they go to."""
    data = {}
    for i, name in enumerate(columns):
        column = np.empty(len(rows), dtype=object)
        column[:] = [r[i] for r in rows]
        data[name] = column
    return data
