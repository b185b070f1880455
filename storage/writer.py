"""The archive writer: batches of articles, duplicates and rejects, each in one short transaction."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from storage.connection import DEFAULT_LOCK_TIMEOUT, ArchiveError, WriteSession, opened
from storage.pages import replace_pages
from storage.revisions import fold_revisions
from storage.schema import rollback
from storage.sql import among, insert_rows, literal, object_columns, placeholders, registered

logger = logging.getLogger(__name__)

ARTICLE_COLUMNS = (
    "article_id", "outlet", "url", "canonical_url", "url_key", "title", "authors", "published_at",
    "published_raw", "published_source", "modified_at", "section", "tags", "description", "image",
    "text", "language", "language_prob", "word_count", "content_hash", "page_kind", "duplicate_of",
    "duplicate_kind", "similarity", "discovered_via", "discovered_from", "first_seen_at", "updated_at",
    "run_id",
)  # fmt: skip
# Columns a re-fetch may change. published_at is not among them: the first publication time wins.
UPDATABLE_COLUMNS = (
    "url", "canonical_url", "title", "authors", "modified_at", "section", "tags", "description", "image",
    "text", "language", "language_prob", "word_count", "content_hash", "page_kind", "updated_at", "run_id",
)  # fmt: skip
DUPLICATE_COLUMNS = (
    "url",
    "outlet",
    "duplicate_of",
    "duplicate_of_url",
    "kind",
    "similarity",
    "seen_at",
    "run_id",
)
REJECT_COLUMNS = (
    "url", "outlet", "reason", "detail", "http_status", "stage", "attempts", "first_seen_at", "seen_at", "run_id",
)  # fmt: skip
RUN_COUNT_COLUMNS = ("discovered", "fetched", "stored", "duplicates", "rejects", "errors")
# Per-outlet run details for monitoring; the *_by_* ones are {reason: count} dicts stored as JSON.
RUN_DETAIL_COLUMNS = ("sources", "sources_unchanged", "rejects_by_reason", "errors_by_kind", "bytes", "duration_s")


WRITE_THREADS = 1
"""DuckDB threads of a batch write. A batch is a few hundred rows: DuckDB's second thread had
nothing to split, while its per-thread buffers held memory (20 batches of 450 raw pages: peak
381 MB with one thread, 572 MB with two, the same time) and it competed with the extraction
workers for the cores they keep busy."""


BATCH_CHECKPOINT = ("SET checkpoint_threshold = '0KB'",)
"""How a batch write checkpoints: at its COMMIT, without merging row groups (``max_vacuum_tasks = 0``,
set on every writing connection by storage.connection.connect).

DuckDB's checkpoint merges adjacent row groups that fit in fewer (its vacuum). A batch appends
row groups of its own, so every checkpoint re-read and rewrote the raw pages of the batches
before it until their groups reached ``WRITE_ROW_GROUP_SIZE`` rows: each page was written about
2.5 times. Here a batch's rows stay in the row groups it appended (DuckDB reads many small groups
the same), and the COMMIT checkpoints at once instead of the close after it (the batch is in the
file before the lock is let go). Replaying 7,143 articles of an 8,000-page crawl in 500-article
batches (the same rows, one write after another): 9.8-10.8 s of CPU before, 6.5-6.8 without the
merges, 5.5-6.4 also checkpointing at the commit; peak memory 140-190 MB lower; the file 551 MB
instead of 617. DuckDB's ``auto_checkpoint_skip_wal_threshold`` measured the same either way.
The merges are off on every writing connection, not only the batches': the first other write
(``enrich`` after each crawl) otherwise merged all the run's row groups at once, and its process
peaked at 3.0 GB at the end of a 20,000-page crawl (1.2 GB after a 7,143-article replay).
The cost: rows deleted in a batch (the previous raw page of a revised article, a reject that
later succeeded) keep their space in the file until ``sportnews compact`` copies the archive
without them."""

RESET_CHECKPOINT, RESET_MEMORY_LIMIT = "RESET checkpoint_threshold", "RESET memory_limit"
"""The per-attempt settings back to DuckDB's defaults, for a write that sets neither: a batch
written again after a failed one must not inherit the first attempt's. Only then: inside a
crawl, the reset of the memory limit took 8 ms a batch (0.66 s over a 20,000-page crawl)."""

WRITE_MEMORY_LIMIT = "64MB"
"""DuckDB's least memory limit while a batch is written (``SET memory_limit``; its default is 80% of
RAM); a batch of large pages gets ``PAYLOAD_FACTOR`` times their size instead (``write_limit``).

DuckDB keeps every block a write reads cached until the limit forces it out, and a block holds
the segments of every table a batch's checkpoint wrote: the near-duplicate lookup reads the band
index of the whole window, and with it by the end of a 20,000-page crawl 46 MB of blocks that
stayed in the write's process until the DETACH. Under 256 MB the crawl process peaked at 358 MB,
its writes 10 MB above its resting size in the first batches and 60-90 MB in the last; under
64 MB 308 MB, 45 MB and 55 MB (benchmarks/throughput.py). 32 MB was too little for its batches
of 250 pages of 72 KB, gzip (most were written twice, one stopped the crawl before commit
failures were told apart). A batch that fails for memory is written again without the limit, so
a low setting costs time, never rows."""

PAYLOAD_FACTOR = 3
"""``write_limit``'s multiple of a batch's pages and texts. Measured on batches of 250 pages of
random bytes (gzip that does not shrink), the least limit each was written under: 9 MB of pages
24 MB, 19 MB 48 MB, 36 MB 96 MB, 73 MB 96 MB (large pages leave DuckDB's buffers sooner)."""


LOOKUP_MEMORY_LIMIT = "16MB"
"""DuckDB's memory limit while a batch's ``before`` step runs (the crawl's near-duplicate lookup and
its index entries), when the write has one; the write's own limit is set again after it.

The lookup streams the band index of the whole window through a join whose hash table holds only
the batch (storage/near_index.py), and it ran within 8 MB on a 20,000-page crawl's archive. But
DuckDB keeps each block it reads cached up to the limit in force: under the write's 64 MB, the
lookup's step of a crawl's writes went from +10 MB in its first batches to +50 MB in its last
ones, cache the inserts after it then had to share. Under this limit the same steps took
+7 MB and +13-18 MB; the writes peaked at 294 MB in the last ten batches instead of 307
(benchmarks/throughput.py, 20,000 pages). A lookup that does not fit fails the attempt like any
write out of memory, and the batch is written again without a limit."""


def lookup_limit(limit: str | None) -> str | None:
    """The memory limit of a write's ``before`` step: ``LOOKUP_MEMORY_LIMIT``, or ``limit`` when that
    is lower or not a size; None (DuckDB's own) for a write without a limit."""
    least, lookup = (limit_bytes(limit) if limit else None), limit_bytes(LOOKUP_MEMORY_LIMIT)
    if least is None or lookup is None or least <= lookup:
        return limit
    return LOOKUP_MEMORY_LIMIT


def limit_bytes(limit: str) -> int | None:
    """DuckDB's memory size syntax in bytes (``64MB`` is 64,000,000, ``1GiB`` 2**30); None if not one."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*", limit, re.IGNORECASE)
    if m is None:
        return None
    number, prefix, binary = m.groups()
    return int(float(number) * (1024 if binary else 1000) ** "_kmgt".index(prefix.lower() or "_"))


def write_limit(limit: str | None, articles: Sequence[Mapping[str, Any]]) -> str | None:
    """The memory limit a batch is written under: ``limit``, or ``PAYLOAD_FACTOR`` times the batch's
    raw pages and texts when that is more, so a batch of large pages is not first tried under a
    limit it cannot fit (and written twice)."""
    least = limit_bytes(limit) if limit else None
    if least is None:
        return limit
    payload = sum(
        len(a.get("html_compressed") or a.get("raw_html") or b"") + len(a.get("text") or "") for a in articles
    )
    return f"{PAYLOAD_FACTOR * payload}B" if PAYLOAD_FACTOR * payload > least else limit


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class BatchResult:
    """What one batch changed in the archive."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejects: int = 0
    written_ids: set[str] = field(default_factory=set)
    """article_ids inserted or changed by the batch (not the unchanged re-fetches)."""


def _durable_despite(exc: BaseException) -> bool:
    """DuckDB's COMMIT failed only in the checkpoint after it: the transaction itself is durable."""
    return isinstance(exc, duckdb.Error) and "COMMIT succeeded" in str(exc)


def _cause(exc: BaseException | None, matches: Callable[[BaseException], bool]) -> BaseException | None:
    """The first error in ``exc``'s chain that ``matches``, if any (a statement after it may have raised
    anew: DuckDB refuses every statement of an aborted transaction)."""
    while exc is not None:
        if matches(exc):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _out_of_memory(exc: BaseException) -> bool:
    """DuckDB ran out of memory: in a statement (OutOfMemoryException) or in the COMMIT, whose flush
    of the batch's pages reports it as a TransactionException and may leave the database invalidated
    (the file keeps none of the batch; the session's detach then fails and closes it, so the write
    again gets a new one). Either way the batch was stopped, not stored: it is written again."""
    return isinstance(exc, duckdb.OutOfMemoryException) or (
        isinstance(exc, duckdb.Error) and bool(_OUT_OF_MEMORY.search(str(exc)))
    )


_OUT_OF_MEMORY = re.compile(r"(failed to|could not) (pin|allocate) (block|data)|out of memory", re.IGNORECASE)
"""How DuckDB words running out of memory inside another error (seen: "Failed to commit: could not
allocate block of size 836.0 KiB (29.7 MiB/30.5 MiB used)", "... failed to pin block of size 256.0 KiB")."""


def _failed_checkpoint(exc: BaseException) -> bool:
    """A checkpoint that failed inside the COMMIT (a full disk): DuckDB rolled the commit back."""
    return "checkpoint failed" in str(exc).lower()


def _run_details(counts: Mapping[str, Any]) -> list[Any]:
    """``RUN_DETAIL_COLUMNS`` values of one outlet's run summary; dicts become JSON text."""
    return [
        int(counts.get("sources", 0) or 0),
        int(counts.get("sources_unchanged", 0) or 0),
        json.dumps(dict(counts.get("rejects_by_reason") or {}), sort_keys=True),
        json.dumps(dict(counts.get("errors_by_kind") or {}), sort_keys=True),
        int(counts.get("bytes", 0) or 0),
        counts.get("duration_s"),
    ]


class ArchiveWriter:
    """Writes to one archive file, opening it only for the length of each batch.

    Holding the file between batches would lock analysts out of the archive for the whole crawl
    (DuckDB refuses other processes, readers included, while one holds the file for writing).
    Every write is idempotent: the same batch written twice leaves the archive unchanged.
    """

    def __init__(self, path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                 memory_limit: str | None = WRITE_MEMORY_LIMIT) -> None:  # fmt: skip
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.memory_limit = memory_limit or None
        self.session = WriteSession()

    def ensure_schema(self) -> None:
        """Create or migrate the archive now, so a bad path fails before any crawling."""
        with opened(self.path, lock_timeout=self.lock_timeout):
            pass

    # -- runs --------------------------------------------------------------------------------
    def start_run(self, run_id: str, outlets: Sequence[str], since_days: float | None) -> None:
        with opened(self.path, lock_timeout=self.lock_timeout) as con:
            con.execute(
                "INSERT INTO crawl_runs (run_id, started_at, status, outlets, since_days) "
                "VALUES (?, ?, 'running', ?, ?) ON CONFLICT (run_id) DO NOTHING",
                [run_id, utcnow(), list(outlets), since_days],
            )

    def finish_run(
        self,
        run_id: str,
        status: str,
        per_outlet: Mapping[str, Mapping[str, Any]],
        duration_s: float | None = None,
    ) -> None:
        """Record the run's end and its per-outlet counts (``RUN_COUNT_COLUMNS``, ``RUN_DETAIL_COLUMNS``
        when given, status/message); ``duration_s`` is the whole run's."""
        totals = {c: sum(int(v.get(c, 0) or 0) for v in per_outlet.values()) for c in RUN_COUNT_COLUMNS}
        total_bytes = sum(int(v.get("bytes", 0) or 0) for v in per_outlet.values())
        with opened(self.path, lock_timeout=self.lock_timeout) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "UPDATE crawl_runs SET finished_at = ?, status = ?, "
                    + ", ".join(f"{c} = ?" for c in RUN_COUNT_COLUMNS)
                    + ", bytes = ?, duration_s = ? WHERE run_id = ?",
                    [utcnow(), status, *(totals[c] for c in RUN_COUNT_COLUMNS), total_bytes, duration_s, run_id],
                )
                cols = ("run_id", "outlet", *RUN_COUNT_COLUMNS, "status", "message", *RUN_DETAIL_COLUMNS)
                rows = [
                    [run_id, outlet, *(int(c.get(k, 0) or 0) for k in RUN_COUNT_COLUMNS), c.get("status"),
                     c.get("message"), *_run_details(c)]
                    for outlet, c in sorted(per_outlet.items())
                ]  # fmt: skip
                if rows:
                    con.executemany(
                        f"INSERT OR REPLACE INTO crawl_run_outlets ({', '.join(cols)}) "
                        f"VALUES ({placeholders(len(cols))})",
                        rows,
                    )
                con.execute("COMMIT")
            except Exception:
                rollback(con)
                raise

    # -- batches -----------------------------------------------------------------------------
    def write_batch(
        self,
        articles: Sequence[Mapping[str, Any]] = (),
        duplicates: Sequence[Mapping[str, Any]] = (),
        rejects: Sequence[Mapping[str, Any]] = (),
        before: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> BatchResult:
        """Write one batch atomically: all of it or, on any error, none of it.

        ``articles`` rows carry ``ARTICLE_COLUMNS`` plus ``html_compressed`` or ``raw_html`` (bytes),
        ``fetched_at``, ``http_status`` and ``content_type`` for the ``pages`` table. ``before`` runs
        first inside the same transaction, on the same connection: the crawl's near-duplicate lookup,
        which completes the rows and adds index entries that must commit (or not) with them.
        """
        if not (articles or duplicates or rejects):
            return BatchResult()
        try:
            try:
                limit = write_limit(self.memory_limit, articles)
                return self._write_once(articles, duplicates, rejects, before, limit, BATCH_CHECKPOINT)
            except duckdb.Error as exc:
                if (cause := _cause(exc, _out_of_memory) or _cause(exc, _failed_checkpoint)) is None:
                    raise
                # Rolled back whole: written again under DuckDB's own limit, the commit into the WAL
                # (it fits where a checkpoint's new blocks do not, on a nearly full disk).
                logger.warning("a batch could not be written under a memory limit of %s (SPORTNEWS_WRITE_MEMORY_LIMIT"
                               "=%s) with its checkpoint at the commit, writing it again without the limit: %s",
                               limit, self.memory_limit, cause)  # fmt: skip
            return self._write_once(articles, duplicates, rejects, before, None, ())
        except duckdb.Error as exc:
            raise ArchiveError(f"writing a batch to {self.path} failed, nothing of it was kept: {exc}") from exc

    def _write_once(
        self,
        articles: Sequence[Mapping[str, Any]],
        duplicates: Sequence[Mapping[str, Any]],
        rejects: Sequence[Mapping[str, Any]],
        before: Callable[[duckdb.DuckDBPyConnection], None] | None,
        memory_limit: str | None,
        settings: Sequence[str],
    ) -> BatchResult:
        """One attempt at ``write_batch``: the batch committed, or a DuckDB error with nothing kept.

        A checkpoint that fails after a COMMIT (DuckDB runs one inside COMMIT once the WAL is large,
        and one at every close) does not undo the batch: DuckDB says the commit is durable in its
        WAL, which the next open replays and checkpoints. That is logged and counted as written.
        """
        result = BatchResult()
        committed = False
        con = self.session.attach(self.path, lock_timeout=self.lock_timeout)
        try:
            con.execute(f"SET threads = {WRITE_THREADS}")
            # The session keeps the last write's settings: each attempt sets both, or resets them.
            for setting in settings or (RESET_CHECKPOINT,):  # BATCH_CHECKPOINT, or DuckDB's default
                con.execute(setting)
            if memory_limit is not None:
                con.execute(f"SET memory_limit = {literal(memory_limit)}")  # e.g. 256MB
            else:
                con.execute(RESET_MEMORY_LIMIT)
            con.execute("BEGIN TRANSACTION")
            try:
                if before is not None:
                    if (lookup := lookup_limit(memory_limit)) != memory_limit:
                        con.execute(f"SET memory_limit = {literal(lookup)}")
                    before(con)
                    if lookup != memory_limit:  # the inserts under the write's own
                        con.execute(f"SET memory_limit = {literal(memory_limit)}")
                self._write_articles(con, articles, result)
                self._write_duplicates(con, duplicates, result)
                self._write_rejects(con, rejects, result)
                self._settle_outcomes(con, articles, duplicates)
                con.execute("COMMIT")
                committed = True
            except Exception as exc:
                if not _durable_despite(exc):
                    rollback(con)
                    raise
                committed = True
                self._checkpoint_failed(exc)
        finally:
            try:
                self.session.detach()
            except duckdb.Error as exc:  # the checkpoint at the detach: the WAL still holds the batch
                if not committed:
                    raise
                self._checkpoint_failed(exc)
        return result

    def close(self) -> None:
        """Let go of the DuckDB database the batches were written through (the file is not held)."""
        self.session.close()

    def _checkpoint_failed(self, exc: BaseException) -> None:
        logger.warning("batch committed to %s, its checkpoint left to the next open: %s", self.path, exc)

    def _write_articles(
        self, con: duckdb.DuckDBPyConnection, articles: Sequence[Mapping[str, Any]], result: BatchResult
    ) -> None:
        if not articles:
            return
        ids = [a["article_id"] for a in articles]
        # The revisions' records with the batch's own: one query, not one per revision.
        targets = {a.get("duplicate_of") for a in articles if a.get("duplicate_kind") == "revision"} - {None}
        looked_up = sorted(targets.union(ids))
        found = dict(
            con.execute(
                f"SELECT article_id, content_hash FROM articles WHERE {among('article_id', looked_up)}",
                [looked_up],
            ).fetchall()
        )
        stored = {i: found[i] for i in ids if i in found}  # the batch's new ones join as they are inserted
        fresh: list[Mapping[str, Any]] = []
        changed: list[Mapping[str, Any]] = []
        for a in articles:
            # A revision (pipeline/dedupe_stage.py): a new version of a stored record, under its URL or another.
            if a.get("duplicate_kind") == "revision":
                target = a.get("duplicate_of")
                # Whether its target exists: stored before, or inserted earlier in this batch.
                exists = target in found or target in stored
                if target != a["article_id"] and a["article_id"] not in stored and exists:
                    changed.append(a)  # folded into its target by fold_revisions
                    continue
                if target != a["article_id"] or a["article_id"] not in stored:
                    a = {**a, "duplicate_of": None, "duplicate_kind": None, "similarity": None}  # stands alone
            if a["article_id"] not in stored:
                fresh.append(a)
                stored[a["article_id"]] = a["content_hash"]  # a second copy in the batch is a no-op
            elif stored[a["article_id"]] != a["content_hash"]:
                changed.append(a)
                stored[a["article_id"]] = a["content_hash"]
            else:
                result.unchanged += 1
        if fresh:
            insert_rows(con, "articles", ARTICLE_COLUMNS, [[a.get(c) for c in ARTICLE_COLUMNS] for a in fresh])
            result.inserted += len(fresh)
        # One page per record: the version whose text it holds (a fold's winner over the batch's own).
        pages = {a["article_id"]: a for a in fresh}
        if changed:
            pages.update(fold_revisions(con, changed, result))  # storage/revisions.py: newest text, first date
        result.written_ids.update(a["article_id"] for a in fresh)
        self._relink_first_copies(con, [(a["predates"], a["article_id"]) for a in fresh if a.get("predates")])
        replace_pages(con, pages)

    @staticmethod
    def _relink_first_copies(con: duckdb.DuckDBPyConnection, pairs: Sequence[tuple[str, str]]) -> None:
        """Each (stored, first) pair: ``first`` has the same text as ``stored`` and was published before
        it, though fetched after. ``stored`` and every copy linked to it now link to ``first``, in the
        articles and in the near-duplicate index, so later copies find the first one as their root.

        Four statements for the batch's pairs, each joined to them: one per pair scanned the articles
        and the index once for each, work that grew with the archive and with a backfill's copies. A
        chain within the batch (a stored text predated by one copy, that copy by another) links
        everything to its last, earliest-published copy, as the pairs taken one by one did.
        """
        first_of: dict[str, str] = {}
        for stored, first in pairs:
            first_of.setdefault(stored, first)  # a second pair of the same record changed nothing
        if not first_of:
            return
        root_of: dict[str, str] = {}
        for stored in first_of:
            root, seen = first_of[stored], {stored}
            while root in first_of and root not in seen:
                seen.add(root)
                root = first_of[root]
            root_of[stored] = root
        with registered(con, "_relinks", object_columns(("stored", "first"), list(root_of.items()))):
            for statement in (
                "UPDATE articles SET duplicate_of = r.first FROM _relinks r WHERE articles.duplicate_of = r.stored",
                "UPDATE articles SET duplicate_of = r.first, duplicate_kind = 'exact', similarity = 1.0 "
                "FROM _relinks r WHERE articles.article_id = r.stored AND articles.duplicate_of IS NULL",
                # The copies' entries first, then the stored versions' own: an entry matches one pair each.
                "UPDATE minhash_signatures SET root_id = r.first FROM _relinks r "
                "WHERE minhash_signatures.root_id = r.stored",
                "UPDATE minhash_signatures SET root_id = r.first FROM _relinks r "
                "WHERE minhash_signatures.article_id = r.stored",
            ):
                con.execute(statement).fetchall()

    def _write_duplicates(
        self, con: duckdb.DuckDBPyConnection, duplicates: Sequence[Mapping[str, Any]], result: BatchResult
    ) -> None:
        if not duplicates:
            return
        unique = {d["url"]: d for d in duplicates}
        rows = [[d.get(c) for c in DUPLICATE_COLUMNS] for d in unique.values()]
        # RETURNING gives the rows inserted, not those a conflict skipped: no count before and after.
        result.duplicates += len(insert_rows(con, "duplicates", DUPLICATE_COLUMNS, rows,
                                             "ON CONFLICT (url) DO NOTHING RETURNING 1"))  # fmt: skip

    def _write_rejects(
        self, con: duckdb.DuckDBPyConnection, rejects: Sequence[Mapping[str, Any]], result: BatchResult
    ) -> None:
        if not rejects:
            return
        before = self._count(con, "rejects")
        # A URL rejected again (a 500 retried next run) updates its row: re-running adds nothing.
        unique = {r["url"]: r for r in rejects}  # an upsert may touch a row once per statement
        insert_rows(
            con, "rejects", REJECT_COLUMNS, [[r.get(c) for c in REJECT_COLUMNS] for r in unique.values()],
            "ON CONFLICT (url) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, "
            "http_status = excluded.http_status, attempts = rejects.attempts + 1, seen_at = excluded.seen_at, "
            "run_id = excluded.run_id",
        )  # fmt: skip
        result.rejects += self._count(con, "rejects") - before

    @staticmethod
    def _settle_outcomes(
        con: duckdb.DuckDBPyConnection,
        articles: Iterable[Mapping[str, Any]],
        duplicates: Iterable[Mapping[str, Any]],
    ) -> None:
        """Keep each URL in one place: an earlier reject is dropped once the URL succeeds."""
        settled = [a["url"] for a in articles] + [d["url"] for d in duplicates]
        if settled:  # one list parameter: a placeholder per URL cost DuckDB's binder a millisecond more
            con.execute(f"DELETE FROM rejects WHERE {among('url', settled)}", [settled]).fetchall()

    @staticmethod
    def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
        (row,) = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # table names are our constants
        return int(row[0]) if row else 0
