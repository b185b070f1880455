"""Politeness across the fleet: one token bucket per host in Redis, and 429/503 back-off shared."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from redis import Redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed.keys import Keys
from crawler.distributed.redisconf import redis_from_settings
from crawler.middlewares import retry_after_seconds

logger = logging.getLogger(__name__)

HOST_RATE = 2.0
"""Requests per second per host for the whole fleet: the single-process default's 0.5 s download
delay, so N workers are exactly as polite as one process."""
HOST_BURST = 1
"""Bucket size. 1 means requests to a host are never closer than 1/rate seconds, as with
Scrapy's download delay; a bigger burst lets a quiet host be asked a few pages at once."""
BACKOFF_STATUSES = (429, 503)
"""Answers that mean "slow down": the whole fleet pauses the host, not only the worker that got it."""

TAKE_LUA = """
-- KEYS: bucket hash, pause key; ARGV: rate (tokens/s), burst. Returns ms to wait, 0 = go.
-- Redis' own clock, so workers on machines whose clocks disagree still share one bucket.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate)) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
"""

PAUSE_LUA = """
-- KEYS: pause key; ARGV: ms. Extends, never shortens, a pause another worker set.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < until_ms then redis.call('SET', KEYS[1], tostring(until_ms), 'PX', tonumber(ARGV[1]) + 1000) end
return until_ms
"""


class HostRateLimiter:
    """The shared bucket, usable without Scrapy (tests, tools)."""

    def __init__(self, server: Redis, keys: Keys, rate: float = HOST_RATE, burst: int = HOST_BURST) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"host rate must be > 0 and burst >= 1, got {rate} and {burst}")
        self.server, self.keys, self.rate, self.burst = server, keys, rate, burst
        self._take = server.register_script(TAKE_LUA)
        self._pause = server.register_script(PAUSE_LUA)

    def try_take(self, host: str) -> float:
        """Take a token for ``host`` now (returns 0.0) or say how many seconds to wait first."""
        return int(self._take(keys=[self.keys.rate(host), self.keys.pause(host)], args=[self.rate, self.burst])) / 1000

    async def take(self, host: str) -> float:
        """Wait for a token; returns the seconds waited."""
        waited = 0.0
        while (wait := self.try_take(host)) > 0:
            await asyncio.sleep(wait)
            waited += wait
        return waited

    def pause(self, host: str, seconds: float) -> None:
        """Nobody in the fleet asks ``host`` anything for ``seconds`` (extends a longer pause only)."""
        self._pause(keys=[self.keys.pause(host)], args=[max(1, int(seconds * 1000))])


class SharedRateLimitMiddleware:
    """Downloader middleware: every request waits for its host's shared token, just before download.

    It sits last before the downloader (order 950), so the token is taken as late as possible. It
    also caps this process' requests in flight per host at ``CONCURRENT_REQUESTS_PER_DOMAIN``:
    otherwise a request holding a token could wait in Scrapy's per-host queue behind slow
    downloads and then leave in a burst with others, breaking the rate the bucket promised.
    A 429 or 503 pauses the host for the whole fleet for its Retry-After (or the retry back-off).
    """

    def __init__(self, limiter: HostRateLimiter, per_host: int, backoff_base: float, backoff_max: float,
                 crawler: Crawler | None = None) -> None:  # fmt: skip
        self.limiter = limiter
        self.per_host = max(1, per_host)
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.crawler = crawler
        self.in_flight: dict[str, int] = defaultdict(int)
        self.freed: dict[str, asyncio.Event] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateLimitMiddleware:
        s = crawler.settings
        if not s.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: the shared rate limit is for distributed crawls")
        keys = Keys(s.get("SPORTNEWS_REDIS_PREFIX") or "sportnews")
        rate, burst = s.getfloat("SPORTNEWS_HOST_RATE", HOST_RATE), s.getint("SPORTNEWS_HOST_BURST", HOST_BURST)
        limiter = HostRateLimiter(redis_from_settings(s), keys, rate, burst)
        return cls(limiter, s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2),
                   s.getfloat("SPORTNEWS_RETRY_BACKOFF_BASE", 2.0), s.getfloat("SPORTNEWS_RETRY_BACKOFF_MAX", 60.0),
                   crawler)  # fmt: skip

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""  # Scrapy's own per-host slot key
        while self.in_flight[host] >= self.per_host:
            event = self.freed.setdefault(host, asyncio.Event())
            await event.wait()
        self.in_flight[host] += 1
        request.meta["sportnews_rate_host"] = host
        try:
            waited = await self.limiter.take(host)
        except BaseException:
            self._release(request)
            raise
        if waited and self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value("sportnews/ratelimit/waits")

    def _release(self, request: Request) -> None:
        host = request.meta.pop("sportnews_rate_host", None)
        if host is None:
            return
        self.in_flight[host] -= 1
        event = self.freed.pop(host, None)
        if event is not None:
            event.set()

    def process_response(self, request: Request, response: Response) -> Response:
        host = request.meta.get("sportnews_rate_host")
        self._release(request)
        if host and response.status in BACKOFF_STATUSES and not request.meta.get("dont_retry"):
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            attempt = int(request.meta.get("retry_times", 0))
            delay = asked if asked is not None else self.backoff_base * (2**attempt)
            delay = min(max(delay, 0.0), self.backoff_max)
            if delay > 0:
                logger.info("%s answered %s: the fleet pauses it for %.1fs", host, response.status, delay)
                self.limiter.pause(host, delay)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)
        return None
