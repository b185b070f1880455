"""The persistent near-duplicate index: MinHash band hashes and signatures in the archive, looked up by join."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np

from storage.sql import insert_rows, one, registered, utc_from_micros

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


SHARING_CHUNK_ROWS = 4096
"""Signatures read at once, with their columns: about 3 MB."""

Keep = Callable[[np.ndarray, np.ndarray, list[str], list[bytes]], np.ndarray]
"""``keep(queries, rows, article_ids, signatures)``: a boolean mask over the (query, stored version)
pairs that share bands, pair k being query ``queries[k]`` and the version ``article_ids[rows[k]]``,
``signatures[rows[k]]`` (the lists hold each version of a chunk once, however many queries share
bands with it)."""


def candidates(
    con: duckdb.DuckDBPyConnection,
    queries: Sequence[Sequence[int]] | np.ndarray,
    since: datetime,
    signature_version: int,
    min_shared: int = 1,
    keep: Keep | None = None,
    chunk_rows: int = SHARING_CHUNK_ROWS,
) -> list[Candidate]:
    """Stored versions first seen since ``since`` sharing ``min_shared`` bands with one of ``queries``,
    ordered by query, then signature id.

    Two steps, each a join whose hash table DuckDB builds on the batch's side, so that its memory
    follows the batch, not the window: the batch's (query, hash) rows against two columns of
    ``minhash_bands`` (on the hash alone: band hashes include the band number), which gives the
    (query, signature id) pairs; then the signatures of those ids, read by a semi join on them.
    The index's tables are streamed through, never held, so DuckDB's memory limit bounds what the
    lookup keeps of them. One statement joining the pairs to ``minhash_signatures`` instead had
    DuckDB build its hash table on the signatures, every version in the window with its 516-byte
    signature: on the archive of a 20,000-page crawl it failed under a 16 MB limit, where the two
    steps ran within 8 MB (15 MB of RSS with the Python rows), with the same candidates in the same
    order. The window applies to the signatures; band rows outside it are deleted when a crawl
    starts (``prune``).

    The signatures come ``chunk_rows`` at a time, and with ``keep`` only the rows it marks become
    candidates. A story republished many times gives each new copy as many candidates as it has
    copies, nearly all below every threshold; building a full candidate (two time-zoned
    timestamps, five strings) for each took 0.4 s a batch by the end of a 20,000-page crawl
    (benchmarks/throughput.py, whose pages are 130 stories republished). The rows are read whole
    in one scan all the same, their times as integers (``_CANDIDATE_COLUMNS``): the scan of the
    window's signatures is what costs, and reading the ids and signatures first, then the kept rows
    whole in a second scan, took 37 ms of CPU a batch at the end of that crawl against 22 ms.
    """
    if not len(queries):  # a list of band lists, or the (queries, BANDS) matrix a batch already has
        return []
    per = len(queries[0])
    q = {
        "qid": np.repeat(np.arange(len(queries), dtype=np.int32), per),
        "hash": np.asarray(queries, dtype=np.uint32).reshape(-1),
    }
    with registered(con, "_near_queries", q):
        pairs = con.execute(_SHARING, [min_shared]).fetchnumpy()
    # The pairs by signature id, so a version's queries are one slice (NumPy, not a dict of lists:
    # a story republished many times gives each batch thousands of pairs).
    order = np.argsort(pairs["sig_id"], kind="stable")
    by_sig, queries_by_sig = np.asarray(pairs["sig_id"])[order], np.asarray(pairs["qid"])[order]
    found: list[tuple[int, int, Candidate]] = []
    for rows in _signatures(con, by_sig, since, signature_version, chunk_rows):
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        first = np.searchsorted(by_sig, ids, "left")
        counts = np.searchsorted(by_sig, ids, "right") - first
        row_of = np.repeat(np.arange(len(rows)), counts)  # pair k: chunk row row_of[k] ...
        starts = np.cumsum(counts) - counts
        queries_of = queries_by_sig[np.arange(len(row_of)) - starts[row_of] + first[row_of]]  # ... and its query
        if keep is not None:
            kept = keep(queries_of, row_of, [row[1] for row in rows], [row[7] for row in rows])
            queries_of, row_of = queries_of[kept], row_of[kept]
        found.extend((qid, rows[r][0], _candidate(qid, rows[r])) for qid, r in zip(queries_of.tolist(), row_of.tolist(),
                                                                                  strict=True))  # fmt: skip
    found.sort(key=lambda f: (f[0], f[1]))
    return [candidate for _, _, candidate in found]


_CANDIDATE_COLUMNS = (
    "s.sig_id, s.article_id, s.outlet, s.root_id, s.content_hash, "
    "epoch_us(s.published_at), epoch_us(s.first_seen_at), s.signature"
)
"""A signature row as ``_signatures`` reads it: its times as microseconds since the epoch, which
DuckDB hands over as integers, where a TIMESTAMPTZ becomes a datetime with a time zone object of
its own (``_candidate`` builds those for the kept rows only)."""


def _candidate(query: int, row: tuple[Any, ...]) -> Candidate:
    """The ``Candidate`` of a ``_CANDIDATE_COLUMNS`` row, its times in UTC."""
    _, article_id, outlet, root_id, content_hash, published_us, seen_us, signature = row
    published = None if published_us is None else utc_from_micros(published_us)
    return Candidate(query, article_id, outlet, root_id, content_hash, published, utc_from_micros(seen_us), signature)


def _signatures(con: duckdb.DuckDBPyConnection, sig_ids: np.ndarray, since: datetime, signature_version: int,
                chunk_rows: int) -> Iterator[list[tuple[Any, ...]]]:  # fmt: skip
    """``_CANDIDATE_COLUMNS`` of the signatures with these ids in the window, ``chunk_rows`` rows at a
    time, unordered (sorted, DuckDB would hold the whole result before the first row)."""
    ids = np.unique(np.asarray(sig_ids, dtype=np.int64))
    if not len(ids):
        return
    with registered(con, "_near_ids", {"sig_id": ids}):
        result = con.execute(
            f"SELECT {_CANDIDATE_COLUMNS} FROM minhash_signatures s "
            "WHERE s.sig_id IN (SELECT sig_id FROM _near_ids) AND s.first_seen_at >= ? AND s.signature_version = ?",
            [since, signature_version],
        )
        while rows := result.fetchmany(chunk_rows):
            yield rows


_SIGNATURE_COLUMNS = ("sig_id", "article_id", "outlet", "root_id", "content_hash", "published_at", "first_seen_at",
                      "signature_version", "signature")  # fmt: skip
_SHARING = """
    SELECT q.qid, b.sig_id
    FROM _near_queries q JOIN minhash_bands b ON b.hash = q.hash
    GROUP BY q.qid, b.sig_id HAVING count(*) >= ?
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
        "hash": np.asarray([e.bands for e in entries], dtype=np.uint32).reshape(-1),
        "sig_id": np.repeat(ids, per),
        "seen": np.repeat(np.array([e.first_seen_at.timestamp() for e in entries]), per),
    }
    with registered(con, "_near_bands", bands):
        con.execute(
            "INSERT INTO minhash_bands (band, hash, sig_id, first_seen_at) "
            "SELECT band, hash, sig_id, to_timestamp(seen) FROM _near_bands"
        ).fetchall()
    # Bound as NumPy object columns (storage.sql.insert_rows), not as nine LIST parameters: 3 ms of
    # CPU for 250 signatures instead of 6-9.
    insert_rows(con, "minhash_signatures", _SIGNATURE_COLUMNS, [
        [sig_id, e.article_id, e.outlet, e.root_id, e.content_hash, e.published_at, e.first_seen_at,
         signature_version, e.signature]
        for sig_id, e in zip(ids.tolist(), entries, strict=True)
    ])  # fmt: skip
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
