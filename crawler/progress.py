"""Live per-outlet progress during a crawl: a table on a terminal, a log line otherwise."""

from __future__ import annotations

import logging
import sys
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.run_record import outlet_counts

logger = logging.getLogger(__name__)

COLUMNS = ("discovered", "fetched", "stored", "duplicates", "rejects", "errors")


class CrawlProgress:
    """Shows what each outlet has yielded so far.

    On a terminal a rich table redraws in place every second; when output goes to a file or a
    pipe (cron, systemd), one compact log line every ``SPORTNEWS_PROGRESS_LOG_SECONDS`` instead,
    so logs stay readable.
    """

    def __init__(self, crawler: Crawler, interactive: bool, log_every: float) -> None:
        self.crawler = crawler
        self.interactive = interactive
        self.log_every = log_every
        self.live: Any = None
        self.loop: task.LoopingCall | None = None
        self.spider: Spider | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        if not crawler.settings.getbool("SPORTNEWS_PROGRESS", True):
            raise NotConfigured
        interactive = sys.stderr.isatty()
        o = cls(crawler, interactive, crawler.settings.getfloat("SPORTNEWS_PROGRESS_LOG_SECONDS", 30.0))
        crawler.signals.connect(o.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        return o

    def rows(self) -> list[tuple[str, dict[str, int]]]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        outlets = getattr(self.spider, "outlets", {}) or {}
        return [(key, outlet_counts(stats, key)) for key in sorted(outlets)]

    def table(self) -> Any:
        from rich.table import Table

        t = Table(title="sportnews crawl", expand=False)
        t.add_column("outlet")
        for c in COLUMNS:
            t.add_column(c, justify="right")
        for key, counts in self.rows():
            t.add_row(key, *(str(counts[c]) for c in COLUMNS))
        return t

    def tick(self) -> None:
        if self.live is not None:
            self.live.update(self.table())
            return
        active = [(k, c) for k, c in self.rows() if c["discovered"] or c["errors"]]
        if active:
            logger.info("progress: %s", "; ".join(
                f"{k} {c['stored']}/{c['discovered']} stored, {c['rejects']} rejected, {c['errors']} errors"
                for k, c in active))  # fmt: skip

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        if self.interactive:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(self.table(), console=Console(stderr=True), refresh_per_second=2, transient=True)
            self.live.start()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(1.0 if self.interactive else self.log_every, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.stop()
            self.live = None
