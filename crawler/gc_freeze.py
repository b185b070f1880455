"""The crawl process's cyclic garbage collector kept off what the crawl was built from.

A full collection of Python's cyclic garbage collector walks every object the process tracks.
When the spider opens, a crawl process holds about 100,000 of them (Scrapy, Twisted, DuckDB's
bindings, the outlet registry, the archive view, the dedupe stage's known texts), all of which
live as long as the crawl; the crawl's own objects (the backlog of discovered URLs, requests,
tasks and items in flight) come on top. A crawl of 20,000 pages (benchmarks/throughput.py's site)
ran 157 full collections of 80-110 ms each: 13.6 s of the crawl process's 125 s of CPU, 1.8 s of
them inside the DuckDB writes, where a batch that met one took twice as long as the next.

``gc.freeze()`` moves every object tracked at that moment into the collector's permanent
generation, which no collection walks again: the same crawl ran 158 full collections in 5.9 s
(0.6 s in the writes), the longest 73 ms, each walking the crawl's own objects only, which are
collected as before. Freezing later (once the backlog is built) saved more in a trial, 3.2 s in
all, but froze the backlog too: requests and tasks that are garbage a minute later. What freezing
at the start costs: a reference cycle among the start-up objects that becomes garbage later is
never collected; the start-up's own garbage is collected first, and what survives is the crawl's
machinery, which is let go when the process ends.
"""

from __future__ import annotations

import gc
import logging
import threading

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_open = 0  # crawls of this process running with the start-up frozen


def freeze_startup() -> int:
    """Collect the garbage made so far, then freeze what is left; returns how many objects are frozen.

    Nested calls (several crawls in one process) freeze again, which is harmless; ``thaw`` lets go
    only when the last of them ends.
    """
    global _open
    with _lock:
        _open += 1
        gc.collect()
        gc.freeze()
        return gc.get_freeze_count()


def thaw() -> None:
    """Undo ``freeze_startup`` once every crawl that froze has ended, so the process's later work (a
    test session, an interactive shell) gets its objects collected as usual."""
    global _open
    with _lock:
        _open = max(0, _open - 1)
        if not _open:
            gc.unfreeze()


class FreezeStartup:
    """Freezes the crawl's start-up objects out of the garbage collector while the spider runs.

    How many it froze is the stat ``sportnews/gc/frozen_objects``; setting ``SPORTNEWS_GC_FREEZE``
    False turns it off. It freezes at ``spider_opened``, when the item pipelines are open (the
    dedupe stage's known texts loaded, the extraction workers started) and before the first page,
    and thaws at ``spider_closed``.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FreezeStartup:
        if not crawler.settings.getbool("SPORTNEWS_GC_FREEZE", True):
            raise NotConfigured
        o = cls(crawler)
        crawler.signals.connect(o.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        return o

    def spider_opened(self, spider: Spider) -> None:
        if not self.frozen:
            count = freeze_startup()
            self.frozen = True
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.set_value("sportnews/gc/frozen_objects", count)
            logger.debug("garbage collector: %d start-up objects frozen", count)

    def spider_closed(self, spider: Spider) -> None:
        if self.frozen:
            thaw()
            self.frozen = False
