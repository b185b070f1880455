"""The persistent near-duplicate index: MinHash band hashes and signatures in the archive, looked up by join."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np

from storage.sql import one, registered

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

    @property
    def sig_id(self) -> int:
        """64 bits of sha1(article_id, content_hash): the same version gets the same id in any process."""
        digest = hashlib.sha1(f"{self.article_id}\0{self.content_hash}".encode()).digest()
        return int.from_bytes(digest[:8], "little", signed=True)


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


Keep = Callable[[np.ndarray, list[str], list[bytes]], np.ndarray]
"""``keep(queries, article_ids, signatures)``: a boolean mask over the rows that share bands."""


def candidates(
    con: duckdb.DuckDBPyConnection,
    queries: Sequence[Sequence[int]],
    since: datetime,
    signature_version: int,
    min_shared: int = 1,
    keep: Keep | None = None,
) -> list[Candidate]:
    """Stored versions first seen since ``since`` sharing ``min_shared`` bands with one of ``queries``.

    One statement for the whole batch: the batch's (query, hash) rows are hash-joined against
    ``minhash_bands`` on the hash alone (band hashes include the band number), so DuckDB builds
    its hash table on the small side and streams two columns of the index; memory follows the
    batch, not the archive. The window applies to the signatures (the small side of the second
    join); band rows outside it are deleted when a crawl starts (``prune``).

    With ``keep``, the rows that share bands are read first with their signatures and ids alone, and
    only those ``keep`` marks are read whole. A story republished many times gives each new copy
    as many candidates as it has copies, nearly all below every threshold; building a full
    candidate (two time-zoned timestamps, five strings) for each took 0.4 s a batch by the end of
    a 20,000-page crawl (benchmarks/throughput.py, whose pages are 130 stories republished).
    """
    if not queries:
        return []
    per = len(queries[0])
    q = {
        "qid": np.repeat(np.arange(len(queries), dtype=np.int32), per),
        "hash": np.asarray(queries, dtype=np.int64).reshape(-1),
    }
    with registered(con, "_near_queries", q):
        params = [min_shared, since, signature_version]
        if keep is None:
            rows = con.execute(_CANDIDATES.format(columns="hits.qid, " + _STORED), params).fetchall()
            return [Candidate(*r) for r in rows]
        sharing = con.execute(_CANDIDATES.format(columns="hits.qid, s.sig_id, s.article_id, s.signature"), params
                              ).fetchall()  # fmt: skip
    if not sharing:
        return []
    qids, sig_ids, article_ids, signatures = (list(c) for c in zip(*sharing, strict=True))
    mask = keep(np.asarray(qids, dtype=np.int64), article_ids, signatures)
    chosen = [(qid, sig_id) for qid, sig_id, kept in zip(qids, sig_ids, mask, strict=True) if kept]
    if not chosen:
        return []
    ids = {"sig_id": np.unique(np.array([sig_id for _, sig_id in chosen], dtype=np.int64))}
    with registered(con, "_near_chosen", ids):
        whole = {
            r[0]: r[1:]
            for r in con.execute(f"SELECT s.sig_id, {_STORED} FROM _near_chosen c "
                                 "JOIN minhash_signatures s ON s.sig_id = c.sig_id").fetchall()
        }  # fmt: skip
    return [Candidate(qid, *whole[sig_id]) for qid, sig_id in chosen]


_STORED = "s.article_id, s.outlet, s.root_id, s.content_hash, s.published_at, s.first_seen_at, s.signature"
"""A candidate's columns after its query's position, in ``Candidate``'s order."""
_CANDIDATES = """
    WITH hits AS (
        SELECT q.qid, b.sig_id
        FROM _near_queries q JOIN minhash_bands b ON b.hash = q.hash
        GROUP BY q.qid, b.sig_id HAVING count(*) >= ?
    )
    SELECT {columns}
    FROM hits JOIN minhash_signatures s ON s.sig_id = hits.sig_id
    WHERE s.first_seen_at >= ? AND s.signature_version = ?
    ORDER BY hits.qid, s.sig_id
"""


def add(con: duckdb.DuckDBPyConnection, entries: Iterable[IndexEntry], signature_version: int) -> int:
    """Index these versions (bands and signatures); returns how many. Two statements per batch."""
    entries = list(entries)
    if not entries:
        return 0
    per = len(entries[0].bands)
    ids = np.array([e.sig_id for e in entries], dtype=np.int64)
    bands = {
        "band": np.tile(np.arange(per, dtype=np.int16), len(entries)),
        "hash": np.asarray([e.bands for e in entries], dtype=np.int64).reshape(-1),
        "sig_id": np.repeat(ids, per),
        "seen": np.repeat(np.array([e.first_seen_at.timestamp() for e in entries]), per),
    }
    with registered(con, "_near_bands", bands):
        con.execute(
            "INSERT INTO minhash_bands (band, hash, sig_id, first_seen_at) "
            "SELECT band, hash, sig_id, to_timestamp(seen) FROM _near_bands"
        ).fetchall()
    con.execute(
        "INSERT INTO minhash_signatures (sig_id, article_id, outlet, root_id, content_hash, published_at, "
        "first_seen_at, signature_version, signature) "
        "SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
        "unnest(?::VARCHAR[]), unnest(?::TIMESTAMPTZ[]), unnest(?::TIMESTAMPTZ[]), ?, unnest(?::BLOB[])",
        [
            ids.tolist(),
            [e.article_id for e in entries],
            [e.outlet for e in entries],
            [e.root_id for e in entries],
            [e.content_hash for e in entries],
            [e.published_at for e in entries],
            [e.first_seen_at for e in entries],
            signature_version,
            [e.signature for e in entries],
        ],
    ).fetchall()
    return len(entries)


def prune(con: duckdb.DuckDBPyConnection, before: datetime, signature_version: int) -> int:
    """Forget versions first seen before ``before`` (outside the window) or signed another way.

    Keeps the index the size of the window whatever the archive's size. Returns signatures removed.
    """
    con.execute("DELETE FROM minhash_bands WHERE first_seen_at < ?", [before]).fetchall()
    removed = con.execute("DELETE FROM minhash_signatures WHERE first_seen_at < ? RETURNING 1", [before]).fetchall()
    retired = con.execute(
        "DELETE FROM minhash_signatures WHERE signature_version <> ? RETURNING sig_id", [signature_version]
    ).fetchall()
    if retired:
        con.execute(
            "DELETE FROM minhash_bands WHERE sig_id IN (SELECT unnest(?::BIGINT[]))", [[r[0] for r in retired]]
        ).fetchall()
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
    sigs = one(con, "SELECT count(*) FROM minhash_signatures")
    bands = one(con, "SELECT count(*) FROM minhash_bands")
    return (int(sigs[0]) if sigs else 0, int(bands[0]) if bands else 0)
