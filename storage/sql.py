"""Small SQL helpers shared by the storage modules (no imports of our own, so anyone may use them)."""

from __future__ import annotations

from typing import Any

import duckdb


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of a query, or None, with the result fully consumed.

    DuckDB 2 refuses the next statement on a connection (``register`` included) while a result is
    only partly fetched, so ``execute(...).fetchone()`` inside a write transaction breaks the batch.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def literal(text: str) -> str:
    """``text`` as an SQL string literal, for the statements that take no parameters (ATTACH, SET)."""
    return "'" + text.replace("'", "''") + "'"
