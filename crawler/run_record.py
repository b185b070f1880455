"""Per-outlet run summaries: what each outlet yielded in this run, written to ``crawl_run_outlets``."""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from pipeline.items import Reject
from storage.connection import ArchiveError
from storage.writer import ArchiveWriter

logger = logging.getLogger(__name__)

COUNTS = ("discovered", "fetched", "stored", "duplicates", "rejects", "errors", "sources", "unchanged",
          "sources_unchanged")  # fmt: skip


def outlet_counts(stats: Mapping[str, Any], outlet: str) -> dict[str, int]:
    """The namespaced ``sportnews/<outlet>/...`` stats of one outlet as plain counts."""
    prefix = f"sportnews/{outlet}/"
    counts = {c: int(stats.get(prefix + c, 0) or 0) for c in COUNTS}
    counts["skipped_known"] = int(stats.get(prefix + "skipped/known", 0) or 0)
    return counts


def outlet_status(counts: Mapping[str, int], errors: list[str]) -> tuple[str, str]:
    """(status, message): ``unreachable`` when every source failed, ``partial`` when some did."""
    if counts["errors"] and counts["errors"] >= counts["sources"]:
        return "unreachable", errors[0] if errors else "every source failed"
    if counts["errors"]:
        return (
            "partial",
            f"{counts['errors']} of {counts['sources']} sources failed; first: {errors[0]}"
            if errors
            else f"{counts['errors']} sources failed",
        )
    return "ok", ""


def summarize(stats: Mapping[str, Any], outlets: Iterable[str], source_errors: Mapping[str, list[str]]
              ) -> dict[str, dict[str, Any]]:  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for key in outlets:
        counts: dict[str, Any] = outlet_counts(stats, key)
        counts["status"], counts["message"] = outlet_status(counts, list(source_errors.get(key, [])))
        out[key] = counts
    return out


class RunRecorder:
    """Closes the ``crawl_runs`` row the store stage opened, with per-outlet counts and statuses.

    Besides the counts the spider and stages keep in the stats, it watches every outcome and
    response itself for the monitoring details: rejects by reason and failed sources by kind
    (from the ``Reject`` items that reach the end of the pipeline), bytes received, and how long
    each outlet kept the run busy.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = time.monotonic()
        self.rejects_by_reason: dict[str, Counter[str]] = defaultdict(Counter)
        self.errors_by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        self.bytes: Counter[str] = Counter()
        self.last_response: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        if not crawler.settings.getbool("SPORTNEWS_RECORD_RUNS", True):
            raise NotConfigured
        o = cls(crawler)
        crawler.signals.connect(o.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(o.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(o.response_received, signal=signals.response_received)
        return o

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()

    def item_scraped(self, item: object, spider: Spider) -> None:
        if isinstance(item, Reject):
            if item.stage == "source":
                self.errors_by_kind[item.outlet][item.reason.removeprefix("source_")] += 1
            else:
                self.rejects_by_reason[item.outlet][item.reason] += 1

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        outlet = request.meta.get("outlet")
        if outlet:
            self.bytes[outlet] += len(response.body)
            self.last_response[outlet] = time.monotonic()

    def details(self, outlet: str) -> dict[str, Any]:
        """The ``RUN_DETAIL_COLUMNS`` of one outlet (the counts come from the stats)."""
        errors = dict(self.errors_by_kind.get(outlet, {}))
        last = self.last_response.get(outlet)
        return {
            "rejects_by_reason": dict(self.rejects_by_reason.get(outlet, {})),
            "errors_by_kind": errors,
            "bytes": self.bytes.get(outlet, 0),
            "duration_s": round(last - self.started, 3) if last is not None else None,
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        run_id, db = stats.get("sportnews/run_id"), stats.get("sportnews/db")
        if not run_id or not db:
            return  # the store stage never opened the run (for instance the archive was locked)
        per_outlet = summarize(stats, getattr(spider, "outlets", {}) or {}, getattr(spider, "source_errors", {}))
        for key, counts in per_outlet.items():
            counts.update(self.details(key))
            # failures noted without a Reject (a damaged but readable sitemap) still count as errors
            other = counts["errors"] - sum(counts["errors_by_kind"].values())
            if other > 0:
                counts["errors_by_kind"]["other"] = other
        status = {"finished": "finished", "shutdown": "interrupted", "cancelled": "interrupted"}.get(reason, reason)
        writer = ArchiveWriter(db, self.crawler.settings.getfloat("SPORTNEWS_LOCK_TIMEOUT", 30.0))
        try:
            writer.finish_run(run_id, status, per_outlet, round(time.monotonic() - self.started, 3))
        except ArchiveError as exc:
            logger.error("could not record the end of run %s: %s", run_id, exc)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("sportnews/summary", per_outlet)
