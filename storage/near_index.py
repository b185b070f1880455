"""The persistent near-duplicate index: MinHash band hashes and signatures in the archive, looked up by join."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexEntry:
    """One signed version of an article, as it goes into the index."""

    article_id: str
    """The record the version belongs to (for a revision: the record it was folded into)."""
    outlet: str
    root_id: str | None
    """The earliest copy on another outlet this article is linked to; None for an original."""
    content_hash: str
    published_at: datetime | None
    first_seen_at: datetime
    signature: bytes
    bands: Sequence[int]
    """One hash per LSH band, band number = position."""


@dataclass(frozen=True)
class Candidate:
    """A stored version that shares at least one band with a looked-up signature."""

    query: int
    """Position of the looked-up signature in the batch."""
    article_id: str
    outlet: str
    root_id: str | None
    content_hash: str
    published_at: datetime | None
    first_seen_at: datetime
    signature: bytes


def candidates(
    con: duckdb.DuckDBPyConnection,
    queries: Sequence[Sequence[int]],
    since: datetime,
    signature_version: int,
) -> list[Candidate]:
    """Stored versions first seen since ``since`` sharing a band with any of ``queries``.

    One statement for the whole batch: the batch's (query, band, hash) rows are unnested from
    three bound lists and hash-joined against ``minhash_bands``, so DuckDB builds its hash table on
    the small side and streams the index; memory follows the batch, not the archive.
    """
    if not queries:
        return []
    qids: list[int] = []
    bands: list[int] = []
    hashes: list[int] = []
    for q, row in enumerate(queries):
        qids.extend([q] * len(row))
        bands.extend(range(len(row)))
        hashes.extend(row)
    rows = con.execute(
        """
        WITH q AS (
            SELECT unnest(?::INTEGER[]) AS qid, unnest(?::SMALLINT[]) AS band, unnest(?::BIGINT[]) AS hash
        ),
        hits AS (
            SELECT DISTINCT q.qid, b.article_id
            FROM q JOIN minhash_bands b ON b.band = q.band AND b.hash = q.hash
            WHERE b.first_seen_at >= ?
        )
        SELECT hits.qid, s.article_id, s.outlet, s.root_id, s.content_hash, s.published_at, s.first_seen_at,
               s.signature
        FROM hits JOIN minhash_signatures s ON s.article_id = hits.article_id
        WHERE s.first_seen_at >= ? AND s.signature_version = ?
        """,
        [qids, bands, hashes, since, since, signature_version],
    ).fetchall()
    return [Candidate(*r) for r in rows]


def add(con: duckdb.DuckDBPyConnection, entries: Iterable[IndexEntry], signature_version: int) -> int:
    """Index these versions (bands and signatures); returns how many. Two statements per batch."""
    entries = list(entries)
    if not entries:
        return 0
    band_cols: tuple[list, ...] = ([], [], [], [], [])
    for e in entries:
        n = len(e.bands)
        band_cols[0].extend(range(n))
        band_cols[1].extend(e.bands)
        band_cols[2].extend([e.article_id] * n)
        band_cols[3].extend([e.outlet] * n)
        band_cols[4].extend([e.first_seen_at] * n)
    con.execute(
        "INSERT INTO minhash_bands (band, hash, article_id, outlet, first_seen_at) "
        "SELECT unnest(?::SMALLINT[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
        "unnest(?::TIMESTAMPTZ[])",
        list(band_cols),
    )
    con.execute(
        "INSERT INTO minhash_signatures (article_id, outlet, root_id, content_hash, published_at, first_seen_at, "
        "signature_version, signature) "
        "SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
        "unnest(?::TIMESTAMPTZ[]), unnest(?::TIMESTAMPTZ[]), ?, unnest(?::BLOB[])",
        [
            [e.article_id for e in entries],
            [e.outlet for e in entries],
            [e.root_id for e in entries],
            [e.content_hash for e in entries],
            [e.published_at for e in entries],
            [e.first_seen_at for e in entries],
            signature_version,
            [e.signature for e in entries],
        ],
    )
    return len(entries)


def prune(con: duckdb.DuckDBPyConnection, before: datetime, signature_version: int) -> int:
    """Forget versions first seen before ``before`` (outside the window) or signed another way.

    Keeps the index the size of the window whatever the archive's size. Returns signatures removed.
    """
    con.execute("DELETE FROM minhash_bands WHERE first_seen_at < ?", [before])
    removed = con.execute("DELETE FROM minhash_signatures WHERE first_seen_at < ? RETURNING 1", [before]).fetchall()
    retired = con.execute(
        "DELETE FROM minhash_signatures WHERE signature_version <> ? RETURNING article_id", [signature_version]
    ).fetchall()
    if retired:
        # Bands carry no version: drop those of the retired signatures' articles (re-signed on re-fetch).
        con.execute("DELETE FROM minhash_bands WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                    [sorted({r[0] for r in retired})])  # fmt: skip
    return len(removed) + len(retired)


def unindexed_articles(
    con: duckdb.DuckDBPyConnection, since: datetime, limit: int, after: tuple[datetime, str] | None = None
) -> list[tuple[str, str, str | None, str, datetime | None, datetime, str]]:
    """Articles first seen since ``since`` with no signature yet (archives from before the index).

    Rows of (article_id, outlet, duplicate_of, content_hash, published_at, first_seen_at, text),
    oldest first, so a backfill indexes originals before their copies; ``after`` is the last
    (first_seen_at, article_id) of the previous page (texts too short to sign stay unindexed and
    would otherwise come back on every page).
    """
    start_at, start_id = after if after else (since, "")
    return con.execute(
        "SELECT a.article_id, a.outlet, a.duplicate_of, a.content_hash, a.published_at, a.first_seen_at, a.text "
        "FROM articles a ANTI JOIN minhash_signatures s ON s.article_id = a.article_id "
        "WHERE a.first_seen_at >= ? AND (a.first_seen_at > ? OR (a.first_seen_at = ? AND a.article_id > ?)) "
        "ORDER BY a.first_seen_at, a.article_id LIMIT ?",
        [since, start_at, start_at, start_id, limit],
    ).fetchall()


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(signatures, band rows) in the index."""
    sigs = con.execute("SELECT count(*) FROM minhash_signatures").fetchone()
    bands = con.execute("SELECT count(*) FROM minhash_bands").fetchone()
    return (int(sigs[0]) if sigs else 0, int(bands[0]) if bands else 0)
