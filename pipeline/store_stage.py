"""Item pipeline stage 4: buffer every outcome and write it to the archive in batches."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from pipeline.dedupe_stage import DedupePipeline
from pipeline.items import Duplicate, ExtractedArticle, Reject
from pipeline.urls import article_id_for
from storage.connection import ArchiveError, ArchiveLockedError
from storage.writer import WRITE_MEMORY_LIMIT, ArchiveWriter, BatchResult

logger = logging.getLogger(__name__)


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: the start time in UTC plus a random suffix."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def article_row(item: ExtractedArticle, run_id: str, now: datetime) -> dict[str, Any]:
    """The ``articles`` + ``pages`` row of an extracted article."""
    row = asdict(item)
    discovery = row.pop("discovery")
    row.update(
        article_id=article_id_for(item.url_key),
        discovered_via=discovery["via"],
        discovered_from=discovery["source_url"],
        first_seen_at=now,
        updated_at=now,
        run_id=run_id,
    )
    return row


class StorePipeline:
    """The last stage: every item that reaches it is an outcome to keep.

    Rows are buffered and written at most ``batch_size`` at a time, once that many wait or the
    oldest has waited ``flush_seconds``; each batch is one transaction that opens and closes the
    archive, so readers get in between batches and a killed crawl loses at most what is buffered,
    never half of a batch. A batch that meets a locked archive stays in the buffer and is tried
    again at the next flush. While a full batch waits for the write before it, items wait too:
    that back-pressure reaches Scrapy (its scraper slot fills and downloads pause), so a crawl that
    outruns its archive holds a bounded buffer, not a growing one.

    When the dedupe stage runs in the same crawl, its near-duplicate lookups are deferred to here:
    each batch looks its articles up and writes them in one transaction on one connection (see
    DedupePipeline), so no article waits in a stage for a batch to fill.
    """

    def __init__(self, writer: ArchiveWriter | None, batch_size: int = 200, flush_seconds: float = 5.0,
                 crawler: Crawler | None = None) -> None:  # fmt: skip
        self.writer = writer
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.crawler = crawler
        self.run_id = new_run_id()
        self.articles: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self.rejects: list[dict[str, Any]] = []
        self.oldest: float | None = None  # time.monotonic() when the oldest buffered row came
        self._lock = asyncio.Lock()
        self.archive_error: ArchiveError | None = None
        self.dedupe: DedupePipeline | None = None
        self.near_pending: list[tuple[ExtractedArticle, dict[str, Any]]] = []
        self.lookup_cpu = 0.0  # CPU seconds of the near-duplicate lookups inside the current write

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        return cls(None, s.getint("SPORTNEWS_BATCH_SIZE", 200), s.getfloat("SPORTNEWS_FLUSH_SECONDS", 5.0), crawler)

    # -- lifecycle -----------------------------------------------------------------------------
    def open_spider(self) -> None:
        spider = self.crawler.spider if self.crawler else None
        if self.writer is None:
            db = getattr(spider, "db_path", None) or (
                self.crawler.settings.get("SPORTNEWS_DB") if self.crawler else None
            )
            lock_timeout = self.crawler.settings.getfloat("SPORTNEWS_LOCK_TIMEOUT", 30.0) if self.crawler else 30.0
            memory_limit = (
                self.crawler.settings.get("SPORTNEWS_WRITE_MEMORY_LIMIT", WRITE_MEMORY_LIMIT)
                if self.crawler
                else WRITE_MEMORY_LIMIT
            )
            self.writer = ArchiveWriter(Path(db), lock_timeout=lock_timeout, memory_limit=memory_limit)
        if self.crawler is not None and self.crawler.engine is not None:
            dedupe = self.crawler.get_item_pipeline(DedupePipeline)
            if dedupe is not None and dedupe.near.enabled:
                dedupe.deferred, self.dedupe = True, dedupe
        outlets = sorted(getattr(spider, "outlets", {}) or {})
        self.writer.start_run(self.run_id, outlets, getattr(spider, "since_days", None))
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value("sportnews/run_id", self.run_id)
            self.crawler.stats.set_value("sportnews/db", str(self.writer.path))

    async def close_spider(self) -> None:
        try:
            await self.flush(final=True)
        finally:
            if self.writer is not None:
                self.writer.close()

    # -- items ---------------------------------------------------------------------------------
    async def process_item(self, item: object) -> object:
        now = datetime.now(UTC)
        if isinstance(item, ExtractedArticle):
            row = article_row(item, self.run_id, now)
            if row.get("html_compressed"):
                row.pop("raw_html", None)  # the worker's zstd is what is stored: hold 60 KB, not 350 KB
            self.articles.append(row)
            if item.near_pending:
                self.near_pending.append((item, row))
        elif isinstance(item, Duplicate):
            self.duplicates.append({**asdict(item), "seen_at": now, "run_id": self.run_id})
        elif isinstance(item, Reject):
            self.rejects.append({**asdict(item), "attempts": 1, "first_seen_at": now, "seen_at": now,
                                 "run_id": self.run_id})  # fmt: skip
        else:
            return item
        if self.oldest is None:
            self.oldest = time.monotonic()
        if self.due():
            await self.flush()
        return item

    def buffered(self) -> int:
        return len(self.articles) + len(self.duplicates) + len(self.rejects)

    def due(self) -> bool:
        """A full batch is buffered, or the oldest buffered row has waited ``flush_seconds``."""
        return self.buffered() >= self.batch_size or (
            self.oldest is not None and time.monotonic() - self.oldest >= self.flush_seconds
        )

    async def flush(self, final: bool = False) -> None:
        """Write what is due, in batches of at most ``batch_size``; when final, everything buffered.

        On a lock the rows stay buffered (or, when final, it waits longer).
        """
        async with self._lock:
            # Checked again under the lock: every item that found a batch due while the write before
            # was running waits here, and each used to write whatever had come meanwhile, a batch of
            # a few rows at the cost of a whole one (an open, a checkpoint, a close), in a cascade
            # that kept the crawl's items waiting (a third of the wall time of a 2,000-page crawl).
            while self.buffered() and (final or self.due()):
                if self.archive_error is not None and not final:
                    return  # the crawl is stopping; the final flush tries once more
                if not await self._write_one_batch(final):
                    return

    async def _write_one_batch(self, final: bool) -> bool:
        """Write the oldest ``batch_size`` buffered articles and every buffered duplicate and reject
        (small rows); False when they stay buffered.

        Capped because a write's memory follows its raw pages: DuckDB holds about four times their
        gzip size until the close (about 300 MB for 450 real pages), and the batch that piled up
        behind a slow write grew with the archive.
        """
        assert self.writer is not None
        articles, self.articles = self.articles[: self.batch_size], self.articles[self.batch_size :]
        duplicates, rejects, self.duplicates, self.rejects = self.duplicates, self.rejects, [], []
        # Deferred lookups of the articles taken (by identity: rows are dicts, equal by value).
        taken = {id(row) for row in articles}
        pending = [p for p in self.near_pending if id(p[1]) in taken]
        self.near_pending = [p for p in self.near_pending if id(p[1]) not in taken]
        self.oldest = time.monotonic() if self.buffered() else None
        look_up = functools.partial(self.resolve_near, pending=pending) if pending else None
        started, self.lookup_cpu = time.perf_counter(), 0.0
        try:
            result, cpu, own_wall = await asyncio.to_thread(self._timed_write, articles, duplicates, rejects, look_up)
        except ArchiveLockedError as exc:
            self._keep(articles, duplicates, rejects, pending)
            if final:
                raise
            logger.warning("archive busy, keeping %d rows for the next batch: %s",
                           len(articles) + len(duplicates) + len(rejects), exc)  # fmt: skip
            return False
        except ArchiveError as exc:  # disk full, unwritable, damaged: nothing of the batch was kept
            self._keep(articles, duplicates, rejects, pending)
            self.archive_failed(exc, final)
            return False
        except Exception:
            self._keep(articles, duplicates, rejects, pending)
            raise
        if self.crawler is not None and self.crawler.stats is not None:
            # The write on its thread, and what the batch waited besides: for a thread to start it and
            # for the crawl's event loop, busy with responses, to take the result back.
            self.crawler.stats.inc_value("sportnews/store/write_seconds", own_wall)
            self.crawler.stats.inc_value("sportnews/store/write_wait_seconds", time.perf_counter() - started - own_wall)
            self.crawler.stats.inc_value("sportnews/store/write_cpu_seconds", cpu)
            # The part of it the near-duplicate lookup took (DedupePipeline.resolve_in, on the write's thread).
            self.crawler.stats.inc_value("sportnews/store/lookup_cpu_seconds", self.lookup_cpu)
            self.crawler.stats.inc_value("sportnews/store/batches")
        self._count(articles, duplicates, rejects, result.written_ids)
        return True

    def _timed_write(self, *batch: Any) -> tuple[BatchResult, float, float]:
        """The write, the CPU seconds it took on its thread (DuckDB runs it there: WRITE_THREADS) and
        its wall seconds there.

        The wall time also counts the waits for a core that the extraction workers keep busy, for the
        GIL the crawl's thread holds, and for the disk; the CPU time is what the write itself costs.
        """
        assert self.writer is not None
        started, wall = time.thread_time(), time.perf_counter()
        result = self.writer.write_batch(*batch)
        return result, time.thread_time() - started, time.perf_counter() - wall

    def _keep(self, articles: list[dict[str, Any]], duplicates: list[dict[str, Any]], rejects: list[dict[str, Any]],
              pending: list[tuple[ExtractedArticle, dict[str, Any]]]) -> None:  # fmt: skip
        """Put a batch that was not written back in front of the buffers, for the next flush."""
        self.articles[:0], self.duplicates[:0], self.rejects[:0] = articles, duplicates, rejects
        self.near_pending[:0] = pending
        self.oldest = time.monotonic()  # tried again after another ``flush_seconds``, not at once

    def resolve_near(self, con: duckdb.DuckDBPyConnection, pending: Sequence[tuple[ExtractedArticle, dict[str, Any]]]
                     ) -> None:  # fmt: skip
        """The batch's deferred near-duplicate verdicts, copied onto the rows about to be written."""
        assert self.dedupe is not None
        started = time.thread_time()
        try:
            self.dedupe.resolve_in(con, [item for item, _ in pending])
        finally:  # an attempt that fails costs its CPU too
            self.lookup_cpu += time.thread_time() - started
        for item, row in pending:
            row.update(duplicate_of=item.duplicate_of, duplicate_kind=item.duplicate_kind,
                       similarity=item.similarity, near_pending=False)  # fmt: skip

    def archive_failed(self, exc: ArchiveError, final: bool) -> None:
        """A batch could not be written: say so once, clearly, and stop the crawl.

        Fetching on would only pile rows up in memory behind an archive that takes none (a full
        disk rarely frees itself within a run), and every later batch would fail alike. The
        archive keeps every batch written before this one; the next run fetches the rest.
        """
        pending = len(self.articles) + len(self.duplicates) + len(self.rejects)
        first = self.archive_error is None
        self.archive_error = exc
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value("sportnews/archive_error", str(exc))
        if first:
            logger.error("%s%s", exc, "" if final else "; stopping the crawl")
        if final:
            logger.error("%d rows of this run are not stored", pending)
        if first and not final and self.crawler is not None and self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_error"))

    def _count(self, articles: list[dict[str, Any]], duplicates: list[dict[str, Any]],
               rejects: list[dict[str, Any]], written: set[str]) -> None:  # fmt: skip
        if self.crawler is None or self.crawler.stats is None:
            return
        stats = self.crawler.stats
        for a in articles:
            stats.inc_value(f"sportnews/{a['outlet']}/{'stored' if a['article_id'] in written else 'unchanged'}")
        for d in duplicates:
            stats.inc_value(f"sportnews/{d['outlet']}/duplicates")
        for r in rejects:
            stats.inc_value(f"sportnews/{r['outlet']}/{'rejects' if r['stage'] == 'article' else 'source_rejects'}")
