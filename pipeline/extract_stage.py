"""Item pipeline stage 1: fetched pages become extracted articles or rejects, in worker processes."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from pipeline.items import ExtractedArticle, FetchedPage, Reject
from pipeline.malloc_tuning import tune_malloc
from pipeline.pool import ExtractionPool

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Hands each ``FetchedPage`` to the extraction pool and passes on what comes back.

    A page that cannot be extracted is not dropped: it becomes a ``Reject`` item with its reason,
    which the store stage records, because every fetched URL must end somewhere in the archive.
    """

    def __init__(self, pool: ExtractionPool, crawler: Crawler | None = None) -> None:
        self.pool = pool
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        s = crawler.settings
        # The crawl process handles every page's body, pickle and result too: tuned from here on,
        # before the first of them (pipeline/malloc_tuning.py).
        mmap_threshold = s.getint("SPORTNEWS_MALLOC_MMAP_THRESHOLD", 0)
        tune_malloc(mmap_threshold)
        pool = ExtractionPool(s.getint("SPORTNEWS_EXTRACT_WORKERS", 0), s.getint("SPORTNEWS_EXTRACT_QUEUE", 64),
                              s.getint("SPORTNEWS_EXTRACT_NICE", 10), mmap_threshold)  # fmt: skip
        return cls(pool, crawler)

    def open_spider(self) -> None:
        self.pool.start()

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: object) -> object:
        if not isinstance(item, FetchedPage):
            return item
        result = await self.pool.process(item)
        if self.crawler is not None and self.crawler.stats is not None:
            outcome = "ok" if isinstance(result, ExtractedArticle) else f"reject/{result.reason}"
            self.crawler.stats.inc_value(f"sportnews/extract/{outcome}")
        if isinstance(result, Reject):
            logger.info("rejected %s: %s (%s)", result.url, result.reason, result.detail)
        return result
