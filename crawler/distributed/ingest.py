"""The one process that writes the archive of a distributed crawl: stream in, dedupe, batches out.

Messages are read with a consumer group and acknowledged only after the batch holding them was
committed, so a killed ingest loses nothing: its unacknowledged messages are claimed again
(XAUTOCLAIM) when it starts. A message delivered twice changes nothing: articles with the same
text are "unchanged", duplicates are kept once per URL, and a reject already written for this
run is not written again (it would count a second attempt).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError

from crawler.distributed.frontier import is_drained
from crawler.distributed.keys import INGEST_GROUP, Keys, RunKeys
from crawler.distributed.stream import decode_fields, decode_item
from crawler.run_record import summarize
from pipeline.dedupe_stage import DEDUPE_WINDOW_DAYS, DedupePipeline
from pipeline.items import Duplicate, ExtractedArticle, Reject
from pipeline.store_stage import article_row
from storage.connection import ArchiveError, ArchiveLockedError, opened
from storage.writer import ArchiveWriter

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
"""Rows per transaction, as a local crawl's SPORTNEWS_BATCH_SIZE: well under a second per batch."""
FLUSH_SECONDS = 2.0
"""A partial batch is committed after this long. Shorter than a local crawl's 5 s because here
the messages of a partial batch also wait in Redis, unacknowledged."""
READ_BLOCK_MS = 500
"""How long one XREADGROUP waits for new messages; also the pace of the end-of-crawl check."""
LOCK_TTL_MS = 60_000
"""The ingest lock expires this long after the last renewal, so a second ingest can take over from
a dead one; renewed every loop turn, and a batch write waits at most the archive lock timeout (30 s)."""
KEEP_FINISHED_SECONDS = 7 * 86400
"""A finished crawl's config, counters and error list stay this long for inspection; its queue,
claims and archive snapshot are deleted at once (they can be large)."""
RETRY_PAUSE = 5.0
"""Seconds to wait after a failed batch write (disk full, archive unwritable) before trying again."""


class IngestBusy(RuntimeError):
    """Another ingest process holds the fleet's ingest lock."""


class IngestDedupe(DedupePipeline):
    """The local crawl's dedupe stage, fed by the stream instead of by Scrapy.

    The one thing it asks of the spider, "is this canonical URL already an article in the
    archive?", is answered from the archive snapshot the seeder published for the crawl, the
    same view every worker used.
    """

    def __init__(self, db_path: str | Path, window_days: float, known: Mapping[str, str]) -> None:
        super().__init__(db_path, window_days)
        self.known_ids = known

    def archive_has(self, key: str) -> str | None:
        return self.known_ids.get(key)


@dataclass
class Batch:
    """Rows waiting for one transaction, and the stream ids they came from."""

    ids: list[bytes] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def rows(self) -> int:
        return len(self.articles) + len(self.duplicates) + len(self.rejects)


class Ingest:
    """Reads the items stream and writes the archive, one crawl after another (module docstring).

    Args:
        server: Redis client (binary: stream fields hold gzipped HTML).
        db: the archive file; only this process writes it while ingest runs.
        keys: the fleet's key names.
        consumer: this process' name in the consumer group; a restarted ingest takes over the
            pending messages of any earlier one.
    """

    def __init__(self, server: Redis, db: str | Path, keys: Keys, consumer: str | None = None,
                 batch_size: int = BATCH_SIZE, flush_seconds: float = FLUSH_SECONDS, lock_timeout: float = 30.0,
                 window_days: float = DEDUPE_WINDOW_DAYS) -> None:  # fmt: skip
        self.server, self.db, self.keys = server, Path(db), keys
        self.consumer = consumer or f"ingest-{socket.gethostname()}-{os.getpid()}"
        self.batch_size, self.flush_seconds = max(1, batch_size), flush_seconds
        self.window_days = window_days
        self.writer = ArchiveWriter(self.db, lock_timeout)
        self.lock_timeout = lock_timeout
        self.dedupers: dict[str, IngestDedupe] = {}
        self.batch = Batch()
        self.stop = threading.Event()
        self.written = 0
        # The dedupe stage is a Scrapy pipeline whose near-duplicate lookups are batched with
        # asyncio; ingest runs it on its own loop, one stream read at a time.
        self.loop = asyncio.new_event_loop()

    # -- lock ----------------------------------------------------------------------------------
    def take_lock(self) -> None:
        if not self.server.set(self.keys.ingest_lock, self.consumer, nx=True, px=LOCK_TTL_MS):
            holder = self.server.get(self.keys.ingest_lock) or b"?"
            raise IngestBusy(f"another ingest ({holder.decode()}) is writing this fleet's archive")

    def renew_lock(self) -> None:
        ok = self.server.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
            "return 0", 1, self.keys.ingest_lock, self.consumer, LOCK_TTL_MS,
        )  # fmt: skip
        if not ok:
            raise IngestBusy("the ingest lock was lost (this process stalled longer than its TTL); stopping")

    def release_lock(self) -> None:
        self.server.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
                         "return 0", 1, self.keys.ingest_lock, self.consumer)  # fmt: skip

    # -- main loop -----------------------------------------------------------------------------
    def run(self, once: bool = False) -> None:
        """Ingest until stopped (SIGTERM/SIGINT or ``stop``); with ``once``, until no crawl is running."""
        self.writer.ensure_schema()
        self.take_lock()
        try:
            try:
                self.server.xgroup_create(self.keys.items, INGEST_GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            self.recover()
            while not self.stop.is_set():
                self.renew_lock()
                got = 0
                if self.batch.rows < 5 * self.batch_size:  # a locked archive: stop reading, keep the rest in Redis
                    got = self.read()
                if self.batch.ids and (got == 0 or self.batch.rows >= self.batch_size
                                       or time.monotonic() - self.batch.started >= self.flush_seconds):  # fmt: skip
                    self.commit()
                if got == 0 and not self.batch.ids:
                    idle = self.check_finished()
                    if once and idle:
                        break
            if self.batch.ids:
                self.commit(final=True)
        finally:
            self.release_lock()
            for run_id in list(self.dedupers):
                self.close_deduper(run_id)
            self.loop.close()

    def recover(self) -> None:
        """Take over every message an earlier ingest read but did not acknowledge (it died)."""
        start, taken = "0-0", 0
        while True:
            out = self.server.xautoclaim(self.keys.items, INGEST_GROUP, self.consumer, 0, start_id=start, count=500)
            start, messages = out[0], out[1]
            live = [(msg_id, fields) for msg_id, fields in messages if fields is not None]
            self.process(live)
            taken += len(live)
            deleted = out[2] if len(out) > 2 else []
            if deleted:
                self.server.xack(self.keys.items, INGEST_GROUP, *deleted)
            if start in (b"0-0", "0-0"):
                break
            if self.batch.rows >= self.batch_size:
                self.commit()
        if taken:
            logger.warning("took over %d messages an earlier ingest had not written", taken)
            self.commit()

    def read(self) -> int:
        out = self.server.xreadgroup(INGEST_GROUP, self.consumer, {self.keys.items: ">"}, count=self.batch_size,
                                     block=READ_BLOCK_MS)  # fmt: skip
        messages = [m for _stream, batch in out or [] for m in batch]
        self.process(messages)
        return len(messages)

    def process(self, messages: Sequence[tuple[bytes, Mapping[Any, Any]]]) -> None:
        """Handle one read's messages together, so the dedupe stage can batch its lookups."""
        if messages:
            self.loop.run_until_complete(self._handle_all(messages))

    async def _handle_all(self, messages: Sequence[tuple[bytes, Mapping[Any, Any]]]) -> None:
        await asyncio.gather(*(self.handle(msg_id, fields) for msg_id, fields in messages))

    # -- messages ------------------------------------------------------------------------------
    async def handle(self, msg_id: bytes, raw: Mapping[Any, Any]) -> None:
        fields = decode_fields(dict(raw))
        self.batch.ids.append(msg_id)
        run_id = fields.get("run", b"")
        run_id = run_id.decode() if isinstance(run_id, bytes) else str(run_id)
        kind = fields.get("kind", b"")
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        if kind == "run":
            info = json.loads(fields.get("item") or b"{}")
            self.writer.start_run(run_id, info.get("outlets", []), info.get("since"))
            return
        try:
            item = decode_item(fields)
        except ValueError as exc:  # acknowledged with its batch: a poison message must not loop forever
            logger.error("dropping stream message %s: %s", msg_id, exc)
            return
        now = datetime.now(UTC)
        if isinstance(item, ExtractedArticle):
            result = self.deduper(run_id).process_item(item)
            if inspect.isawaitable(result):
                result = await result
            if isinstance(result, ExtractedArticle):
                self.batch.articles.append(article_row(result, run_id, now))
                return
            item = result  # type: ignore[assignment]
        if isinstance(item, Duplicate):
            self.batch.duplicates.append({**asdict(item), "seen_at": now, "run_id": run_id})
        elif isinstance(item, Reject):
            self.batch.rejects.append({**asdict(item), "attempts": 1, "first_seen_at": now, "seen_at": now,
                                       "run_id": run_id})  # fmt: skip

    def deduper(self, run_id: str) -> IngestDedupe:
        d = self.dedupers.get(run_id)
        if d is None:
            known = {k.decode(): json.loads(v)[0]
                     for k, v in self.server.hscan_iter(self.keys.run(run_id).known, count=2000)}  # fmt: skip
            d = IngestDedupe(self.db, self.window_days, known)
            d.open_spider()
            self.dedupers[run_id] = d
        return d

    def close_deduper(self, run_id: str) -> None:
        d = self.dedupers.pop(run_id, None)
        close = getattr(d, "close_spider", None)
        if close is not None:
            result = close()
            if inspect.isawaitable(result):
                self.loop.run_until_complete(result)

    # -- batches -------------------------------------------------------------------------------
    def fresh_rejects(self, rejects: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rejects not written yet: the last per URL, and none already stored by the same run."""
        last = {r["url"]: r for r in rejects}
        if not last:
            return []
        with opened(self.db, read_only=True, lock_timeout=self.lock_timeout) as con:
            done = {
                (url, run)
                for url, run in con.execute(
                    "SELECT url, run_id FROM rejects WHERE url IN (SELECT unnest(?))", [list(last)]
                ).fetchall()
            }
        return [r for url, r in last.items() if (url, r["run_id"]) not in done]

    def commit(self, final: bool = False) -> bool:
        """Write the batch in one transaction, then acknowledge its messages; False if it must wait."""
        b = self.batch
        try:
            rejects = self.fresh_rejects(b.rejects)
            result = self.writer.write_batch(b.articles, b.duplicates, rejects)
        except ArchiveLockedError as exc:
            logger.warning("archive busy, keeping %d rows for the next try: %s", b.rows, exc)
            return False
        except ArchiveError as exc:
            logger.error("%s; trying again in %.0fs", exc, RETRY_PAUSE)
            if not final:
                self.stop.wait(RETRY_PAUSE)
            return False
        self.count(b.articles, b.duplicates, rejects, result.written_ids)
        pipe = self.server.pipeline(transaction=False)
        pipe.xack(self.keys.items, INGEST_GROUP, *b.ids)
        pipe.xdel(self.keys.items, *b.ids)  # acknowledged is done: keep Redis' memory flat
        pipe.execute()
        self.written += b.rows
        self.batch = Batch()
        return True

    def count(self, articles: Sequence[Mapping[str, Any]], duplicates: Sequence[Mapping[str, Any]],
              rejects: Sequence[Mapping[str, Any]], written: set[str]) -> None:  # fmt: skip
        """The store stage's per-outlet counts, added to the crawl's shared counters."""
        deltas: dict[tuple[str, str], int] = defaultdict(int)
        for a in articles:
            deltas[
                a["run_id"], f"sportnews/{a['outlet']}/{'stored' if a['article_id'] in written else 'unchanged'}"
            ] += 1
        for d in duplicates:
            deltas[d["run_id"], f"sportnews/{d['outlet']}/duplicates"] += 1
        for r in rejects:
            what = "rejects" if r["stage"] == "article" else "source_rejects"
            deltas[r["run_id"], f"sportnews/{r['outlet']}/{what}"] += 1
        if not deltas:
            return
        pipe = self.server.pipeline(transaction=False)
        for (run_id, key), n in deltas.items():
            pipe.hincrby(self.keys.run(run_id).stats, key, n)
        pipe.execute()

    # -- end of a crawl ------------------------------------------------------------------------
    def check_finished(self) -> bool:
        """Close the current crawl once it is drained and every message of it is written.

        Returns True when no crawl is running any more (what ``--once`` waits for).
        """
        current = self.server.get(self.keys.current)
        if not current:
            return True
        run_id = current.decode()
        run = self.keys.run(run_id)
        status = (self.server.hget(run.config, "status") or b"").decode()
        if status != "running":
            return status in ("finished", "abandoned")
        # Order matters: a worker releases a lease only after the request's items are in the
        # stream, so once drained, an empty stream means every item of the crawl is written.
        if not is_drained(self.server, run) or self.server.xlen(self.keys.items) > 0:
            return False
        self.finish(run_id, run)
        return True

    def finish(self, run_id: str, run: RunKeys) -> None:
        config = {k.decode(): v.decode() for k, v in self.server.hgetall(run.config).items()}
        stats = {k.decode(): int(v) for k, v in self.server.hgetall(run.stats).items()}
        errors: dict[str, list[str]] = defaultdict(list)
        for raw in self.server.lrange(run.errors, 0, -1):
            outlet, message = json.loads(raw)
            errors[outlet].append(message)
        outlets = json.loads(config.get("outlets") or "[]")
        per_outlet = summarize(stats, outlets, errors)
        started = datetime.fromisoformat(config["started"]) if config.get("started") else None
        duration = (datetime.now(UTC) - started).total_seconds() if started else None
        self.writer.finish_run(run_id, "finished", per_outlet, duration_s=round(duration, 3) if duration else None)
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(run.config, mapping={"status": "finished", "finished_at": datetime.now(UTC).isoformat(),
                                       "summary": json.dumps(per_outlet, default=str)})  # fmt: skip
        pipe.delete(run.requests, run.queued, run.claims, run.known, run.settled, run.sources, run.dupefilter,
                    run.scheduled)  # fmt: skip
        for key in (run.config, run.stats, run.errors, run.reclaimed, run.seq, run.workers):
            pipe.expire(key, KEEP_FINISHED_SECONDS)
        pipe.execute()
        self.close_deduper(run_id)
        totals = {c: sum(int(v.get(c, 0)) for v in per_outlet.values()) for c in ("stored", "duplicates", "rejects")}
        logger.info("crawl %s finished: %d stored, %d duplicates, %d rejects", run_id, totals["stored"],
                    totals["duplicates"], totals["rejects"])  # fmt: skip

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT end the loop after the current batch (systemd stop, Ctrl-C)."""

        def _stop(signum: int, frame: Any) -> None:
            logger.info("signal %d: finishing the current batch and stopping", signum)
            self.stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
