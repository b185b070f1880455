"""The ``sources`` table: HTTP validators of feeds and sitemaps, for conditional requests across runs."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from storage.connection import DEFAULT_LOCK_TIMEOUT, opened
from storage.schema import rollback

logger = logging.getLogger(__name__)

SOURCE_COLUMNS = (
    "url", "outlet", "kind", "etag", "last_modified", "since_days", "children", "fetched_at", "checked_at", "run_id",
)  # fmt: skip


@dataclass
class SourceState:
    """What the last complete read of one feed, sitemap or listing page left behind."""

    url: str
    outlet: str
    kind: str
    """feed, sitemap or listing."""
    etag: str | None = None
    """The ETag header as served; sent back as If-None-Match."""
    last_modified: str | None = None
    """The Last-Modified header as served; sent back as If-Modified-Since."""
    since_days: float | None = None
    """The recency window of that read: a run with a wider window must read the source again."""
    children: list[tuple[str, str | None]] = field(default_factory=list)
    """Child sitemaps of a sitemap index as (url, lastmod), followed again when the index is unchanged."""
    fetched_at: datetime | None = None
    """When the source last answered 200."""
    checked_at: datetime | None = None
    """When the source last answered, 200 or 304."""
    run_id: str | None = None


def source_states(con: duckdb.DuckDBPyConnection, outlets: Sequence[str]) -> dict[str, SourceState]:
    """The stored state of every source of these outlets, by URL."""
    if not outlets:
        return {}
    rows = con.execute(
        f"SELECT {', '.join(SOURCE_COLUMNS)} FROM sources WHERE outlet IN (SELECT unnest(?))", [list(outlets)]
    ).fetchall()
    out: dict[str, SourceState] = {}
    for url, outlet, kind, etag, last_modified, since_days, children, fetched_at, checked_at, run_id in rows:
        try:
            kids = [(str(u), m) for u, m in json.loads(children)] if children else []
        except (ValueError, TypeError):
            kids = []  # a damaged value only costs one full read
        out[url] = SourceState(url, outlet, kind, etag, last_modified, since_days, kids, fetched_at, checked_at,
                               run_id)  # fmt: skip
    return out


def save_source_states(
    path: str | Path, states: Sequence[SourceState], lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> None:
    """Upsert source states in one transaction (the whole set, or nothing on error)."""
    if not states:
        return
    rows = [
        [s.url, s.outlet, s.kind, s.etag, s.last_modified, s.since_days,
         json.dumps([list(c) for c in s.children]) if s.children else None, s.fetched_at, s.checked_at, s.run_id]
        for s in states
    ]  # fmt: skip
    updates = ", ".join(f"{c} = excluded.{c}" for c in SOURCE_COLUMNS if c != "url")
    with opened(path, lock_timeout=lock_timeout) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.executemany(
                f"INSERT INTO sources ({', '.join(SOURCE_COLUMNS)}) VALUES ({', '.join('?' * len(SOURCE_COLUMNS))}) "
                f"ON CONFLICT (url) DO UPDATE SET {updates}",
                rows,
            )
            con.execute("COMMIT")
        except Exception:
            rollback(con)
            raise
