"""The raw pages table: each stored article's page as served, compressed (storage/page_codec.py), one row each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from storage import page_codec
from storage.sql import among, insert_rows

PAGE_COLUMNS = ("article_id", "url", "fetched_at", "http_status", "content_type", "html_compressed")


def replace_pages(con: duckdb.DuckDBPyConnection, pages: Mapping[str, Mapping[str, Any]]) -> None:
    """Store each article's page (``{article_id: row}``), replacing the one it had.

    A delete and a plain insert (``storage.sql.insert_rows``), not an upsert: DuckDB's ON CONFLICT DO UPDATE held half
    as much memory again as the pages themselves (20 batches of 450 pages of 73 KB: peak 626 MB
    against 572 MB), and the upsert of a revision's page with the pages bound as a BLOB[] parameter
    took 16-18 ms of CPU for three pages, this 4-6 ms. The caller's transaction makes it as atomic.
    A row carries ``html_compressed``, or ``raw_html`` to compress here.
    """
    if not pages:
        return
    con.execute(f"DELETE FROM pages WHERE {among('article_id', pages)}", [list(pages)]).fetchall()
    insert_rows(con, "pages", PAGE_COLUMNS, [
        [article_id, p["url"], p.get("fetched_at"), p.get("http_status"), p.get("content_type"),
         p.get("html_compressed") or page_codec.compress(p.get("raw_html") or b"")]
        for article_id, p in pages.items()
    ])  # fmt: skip
