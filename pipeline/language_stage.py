"""Item pipeline stage 2: the outlet's language restriction, and language stats."""

from __future__ import annotations

from collections.abc import Mapping

from scrapy.crawler import Crawler

from pipeline.items import ExtractedArticle, Reject


class LanguagePipeline:
    """Rejects articles outside an outlet's ``languages`` (when the outlet sets any).

    Detection itself runs in the extraction workers (it is per-page CPU work); this stage only
    applies the outlet's policy, which needs the outlet specs that live in the main process.
    Articles in other languages are kept and tagged unless an outlet restricts them.
    """

    def __init__(self, allowed: Mapping[str, tuple[str, ...]], crawler: Crawler | None = None) -> None:
        self.allowed = allowed
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LanguagePipeline:
        return cls({}, crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider if self.crawler else None
        outlets = getattr(spider, "outlets", {}) or {}
        self.allowed = {key: o.languages for key, o in outlets.items() if o.languages}

    def process_item(self, item: object) -> object:
        if not isinstance(item, ExtractedArticle):
            return item
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"sportnews/language/{item.language or 'unknown'}")
        allowed = self.allowed.get(item.outlet)
        if allowed and item.language not in allowed:
            return Reject(item.outlet, item.url, "language",
                          f"detected {item.language or 'unknown'}, outlet keeps {', '.join(allowed)}",
                          item.http_status)  # fmt: skip
        return item
