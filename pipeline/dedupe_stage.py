"""Item pipeline stage 3: URL and exact-text duplicates, recorded rather than silently dropped."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.crawler import Crawler

from pipeline.items import Duplicate, ExtractedArticle
from pipeline.urls import article_id_for, url_key
from storage.connection import opened
from storage.queries import known_texts

logger = logging.getLogger(__name__)

DEDUPE_WINDOW_DAYS = 30.0
"""Exact copies are looked for among articles first seen this many days back. Syndicated agency
text is republished within hours or days; 30 days also catches late re-posts."""


@dataclass
class Original:
    """The first article seen with a given text."""

    article_id: str
    outlet: str
    url: str
    published_at: datetime | None


def _when(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class DedupePipeline:
    """Decides, for each extracted article, whether it is new, a copy, or an update.

    - Same canonical URL as an article already stored under another URL (an AMP page whose
      rel=canonical names the main page): a ``Duplicate`` of kind ``url``.
    - Same normalized text as an article of the same outlet: a ``Duplicate`` of kind ``exact``.
    - Same text as an article of another outlet (syndication): kept as its own article, linked
      with ``duplicate_of`` to the first copy, because users count which outlets ran a story.
    A re-fetch of a stored article (its feed said it changed) passes through as an update.
    """

    def __init__(self, db_path: str | Path | None, window_days: float = DEDUPE_WINDOW_DAYS,
                 crawler: Crawler | None = None) -> None:  # fmt: skip
        self.db_path = db_path
        self.window_days = window_days
        self.crawler = crawler
        self.by_text: dict[str, Original] = {}
        self.by_key: dict[str, str] = {}  # url_key -> URL it was stored under (this run)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(None, crawler.settings.getfloat("SPORTNEWS_DEDUPE_WINDOW_DAYS", DEDUPE_WINDOW_DAYS), crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider if self.crawler else None
        self.db_path = self.db_path or getattr(spider, "db_path", None)
        if not self.db_path:
            return
        since = datetime.now(UTC) - timedelta(days=self.window_days)
        lock_timeout = self.crawler.settings.getfloat("SPORTNEWS_LOCK_TIMEOUT", 30.0) if self.crawler else 30.0
        with opened(self.db_path, lock_timeout=lock_timeout) as con:
            for t in known_texts(con, since):
                self.by_text.setdefault(t.content_hash, Original(t.article_id, t.outlet, t.url, t.published_at))

    def archive_has(self, key: str) -> str | None:
        """The article_id the archive holds under this URL key (from the spider's archive view)."""
        spider = self.crawler.spider if self.crawler else None
        known = getattr(spider, "known", {}) or {}
        hit = known.get(key)
        return hit[0] if hit else None

    def _stat(self, name: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"sportnews/dedupe/{name}")

    def process_item(self, item: object) -> object:
        if not isinstance(item, ExtractedArticle):
            return item
        key = item.url_key
        article_id = article_id_for(key)
        fetched_key = url_key(item.url)
        # The page names another page as canonical, and that one is already here.
        if key != fetched_key and (key in self.by_key or self.archive_has(key)):
            self._stat("url")
            return Duplicate(item.outlet, item.url, article_id, self.by_key.get(key, item.canonical_url), "url")
        if key in self.by_key and self.by_key[key] != item.url:
            self._stat("url")
            return Duplicate(item.outlet, item.url, article_id, self.by_key[key], "url")
        original = self.by_text.get(item.content_hash)
        if original is not None and original.article_id != article_id:
            if original.outlet == item.outlet:
                self._stat("exact")
                return Duplicate(item.outlet, item.url, original.article_id, original.url, "exact")
            item.duplicate_of, item.duplicate_kind, item.similarity = original.article_id, "exact", 1.0
            self._stat("exact_other_outlet")
        else:
            self.by_text[item.content_hash] = Original(article_id, item.outlet, item.url, _when(item.published_at))
        self.by_key[key] = item.url
        return item
