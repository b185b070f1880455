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
from storage.writer import ArchiveWriter

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

    Rows are buffered and written ``batch_size`` at a time (or every ``flush_seconds``), each batch
    in one transaction that opens and closes the archive, so readers get in between batches and a
    killed crawl loses at most one unwritten batch, never half of one. A batch that meets a locked
    archive stays in the buffer and is tried again at the next flush.

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
        self.last_flush = time.monotonic()
        self._lock = asyncio.Lock()
        self.archive_error: ArchiveError | None = None
        self.dedupe: DedupePipeline | None = None
        self.near_pending: list[tuple[ExtractedArticle, dict[str, Any]]] = []

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
            self.writer = ArchiveWriter(Path(db), lock_timeout=lock_timeout)
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
        await self.flush(final=True)

    # -- items ---------------------------------------------------------------------------------
    async def process_item(self, item: object) -> object:
        now = datetime.now(UTC)
        if isinstance(item, ExtractedArticle):
            row = article_row(item, self.run_id, now)
            if row.get("html_gz"):
                row.pop("raw_html", None)  # the worker's gzip is what is stored: hold 25 KB, not 150 KB
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
        pending = len(self.articles) + len(self.duplicates) + len(self.rejects)
        if pending >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            await self.flush()
        return item

    async def flush(self, final: bool = False) -> None:
        """Write what is buffered. On a lock the rows stay buffered (or, when final, it waits longer)."""
        async with self._lock:
            if not (self.articles or self.duplicates or self.rejects):
                return
            if self.archive_error is not None and not final:
                return  # the crawl is stopping; the final flush tries once more
            assert self.writer is not None
            articles, duplicates, rejects = self.articles, self.duplicates, self.rejects
            pending = self.near_pending
            self.articles, self.duplicates, self.rejects, self.near_pending = [], [], [], []
            look_up = functools.partial(self.resolve_near, pending=pending) if pending else None
            started = time.perf_counter()
            try:
                result = await asyncio.to_thread(self.writer.write_batch, articles, duplicates, rejects, look_up)
            except ArchiveLockedError as exc:
                self._keep(articles, duplicates, rejects, pending)
                if final:
                    raise
                logger.warning("archive busy, keeping %d rows for the next batch: %s",
                               len(articles) + len(duplicates) + len(rejects), exc)  # fmt: skip
                return
            except ArchiveError as exc:  # disk full, unwritable, damaged: nothing of the batch was kept
                self._keep(articles, duplicates, rejects, pending)
                self.archive_failed(exc, final)
                return
            except Exception:
                self._keep(articles, duplicates, rejects, pending)
                raise
            self.last_flush = time.monotonic()
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value("sportnews/store/write_seconds", time.perf_counter() - started)
                self.crawler.stats.inc_value("sportnews/store/batches")
            self._count(articles, duplicates, rejects, result.written_ids)

    def _keep(self, articles: list[dict[str, Any]], duplicates: list[dict[str, Any]], rejects: list[dict[str, Any]],
              pending: list[tuple[ExtractedArticle, dict[str, Any]]]) -> None:  # fmt: skip
        """Put a batch that was not written back in front of the buffers, for the next flush."""
        self.articles[:0], self.duplicates[:0], self.rejects[:0] = articles, duplicates, rejects
        self.near_pending[:0] = pending

    def resolve_near(self, con: duckdb.DuckDBPyConnection, pending: Sequence[tuple[ExtractedArticle, dict[str, Any]]]
                     ) -> None:  # fmt: skip
        """The batch's deferred near-duplicate verdicts, copied onto the rows about to be written."""
        assert self.dedupe is not None
        self.dedupe.resolve_in(con, [item for item, _ in pending])
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
