"""Small SQL helpers shared by the storage modules (no imports of our own, so anyone may use them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa


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


def literal(text: str) -> str:
    """``text`` as an SQL string literal, for the statements that take no parameters (ATTACH, SET)."""
    return "'" + text.replace("'", "''") + "'"


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
    conflict: str = "",
) -> None:  # fmt: skip
    """Insert many rows with one statement over an Arrow table.

    ``executemany`` converts every value under the GIL, row by row; during a crawl the reactor thread
    holds the GIL most of the time, and a 50-row batch took seconds (benchmarks/throughput.py). One
    ``INSERT ... SELECT`` over Arrow columns converts in C. ``table``, ``columns`` and ``conflict`` are
    our own constants, never user input; the values are bound through the Arrow table.
    """
    if not rows:
        return
    data = pa.table({c: pa.array([r[i] for r in rows]) for i, c in enumerate(columns)})
    con.register("_batch", data)
    try:
        con.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _batch {conflict}"
        ).fetchall()  # DuckDB 2 wants a statement's result consumed before the next one
    finally:
        con.unregister("_batch")
