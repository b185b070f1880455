"""Downloader middlewares: retries that back off, as a polite crawler's should."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP date); None when absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but a retry waits ``base * 2**attempt`` seconds, or what the
    server's Retry-After asks (429, 503), capped at ``SPORTNEWS_RETRY_BACKOFF_MAX``.

    Scrapy retries at once by default, which hammers an outlet that is already struggling. The
    wait happens in a coroutine, so other downloads go on meanwhile.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("SPORTNEWS_RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("SPORTNEWS_RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        delay = self.backoff_base * (2**attempt)
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                delay = asked
        return min(max(delay, 0.0), self.backoff_max)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        if delay > 0:
            logger.debug("retrying %s in %.1fs (HTTP %s)", request.url, delay, response.status)
            await asyncio.sleep(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        delay = self._delay(request, None)
        if delay > 0:
            await asyncio.sleep(delay)
        return retry
