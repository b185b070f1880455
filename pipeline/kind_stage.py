"""Item pipeline stage 2b: the crawl's choice of page kinds (article, live, gallery, video, paywalled)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from scrapy.crawler import Crawler

from pipeline.items import ExtractedArticle, Reject

logger = logging.getLogger(__name__)

PAGE_KINDS = ("article", "live", "gallery", "video", "paywalled")
"""Every value of ``ExtractedArticle.page_kind`` (see pipeline/extract.py ``page_kind``)."""


def parse_kinds(value: str | Iterable[str] | None) -> frozenset[str]:
    """``"article,live"`` or a list -> the kinds; empty or ``"all"`` -> every kind.

    Raises ValueError naming the unknown kind, so a typo in a setting stops the crawl at start
    instead of silently rejecting every page.
    """
    if value is None:
        return frozenset(PAGE_KINDS)
    items = value.split(",") if isinstance(value, str) else list(value)
    kinds = {k.strip().lower() for k in items if k and k.strip()}
    if not kinds or kinds == {"all"}:
        return frozenset(PAGE_KINDS)
    unknown = sorted(kinds - set(PAGE_KINDS))
    if unknown:
        raise ValueError(
            f"SPORTNEWS_KEEP_KINDS: unknown page kind {', '.join(unknown)} (known: {', '.join(PAGE_KINDS)})"
        )
    return frozenset(kinds)


class PageKindPipeline:
    """Turns articles of kinds the crawl does not keep into rejects with reason ``page_kind``.

    The default keeps every kind; ``SPORTNEWS_KEEP_KINDS=article,live`` drops galleries, videos and
    paywalled teasers before dedupe, so they are neither stored nor compared. The reject keeps the
    URL settled, as for every other reason.
    """

    def __init__(self, keep: Iterable[str] = PAGE_KINDS, crawler: Crawler | None = None) -> None:
        self.keep = frozenset(keep)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageKindPipeline:
        return cls(parse_kinds(crawler.settings.get("SPORTNEWS_KEEP_KINDS")), crawler)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ExtractedArticle):
            return item
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None:
            stats.inc_value(f"sportnews/page_kind/{item.page_kind}")
        if item.page_kind in self.keep:
            return item
        return Reject(item.outlet, item.url, "page_kind",
                      f"{item.page_kind} page, the crawl keeps {', '.join(sorted(self.keep))}",
                      item.http_status)  # fmt: skip
