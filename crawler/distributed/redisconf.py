"""Redis connections and the settings every distributed role shares."""

from __future__ import annotations

from typing import Any

from redis import Redis
from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import DEFAULT_PREFIX

CONNECT_PARAMS: dict[str, Any] = {
    "socket_timeout": 30,
    "socket_connect_timeout": 10,
    "retry_on_timeout": True,
    "health_check_interval": 30,
}
"""scrapy-redis' own defaults (30 s timeouts, retry on timeout), plus a health check so a
connection idle behind a NAT or firewall is tested before use instead of failing a command."""


def redis_from_url(url: str) -> Redis:
    """A binary-safe client (bytes in, bytes out): stream fields carry gzipped HTML."""
    return Redis.from_url(url, **CONNECT_PARAMS)


def redis_from_settings(settings: BaseSettings) -> Redis:
    """The client scrapy-redis would build from ``REDIS_URL`` / ``REDIS_PARAMS``."""
    return get_redis_from_settings(settings)


def role_settings(settings: BaseSettings, redis_url: str, run_id: str, role: str, prefix: str = DEFAULT_PREFIX) -> None:
    """Turn project settings into those of a distributed ``seed`` or ``worker`` process.

    - the scheduler is the shared frontier; the spider is the distributed one;
    - workers hand items to the Redis stream instead of deduplicating and writing the archive
      (ingest does both), and never open the archive;
    - politeness moves to the shared per-host rate limiter: Scrapy's per-process download
      delay and AutoThrottle would let N workers hit an outlet N times as often;
    - conditional fetching (ETag/Last-Modified kept in the archive) is off: workers cannot read
      or write the archive, so every source is read in full;
    - run records are written by ingest, not by each worker.
    """
    prio = "cmdline"
    settings.set("REDIS_URL", redis_url, priority=prio)
    settings.set("REDIS_PARAMS", CONNECT_PARAMS, priority=prio)
    settings.set("SPORTNEWS_REDIS_RUN", run_id, priority=prio)
    settings.set("SPORTNEWS_REDIS_ROLE", role, priority=prio)
    settings.set("SPORTNEWS_REDIS_PREFIX", prefix, priority=prio)
    settings.set("SCHEDULER", "crawler.distributed.frontier.DistributedScheduler", priority=prio)
    settings.set("SPORTNEWS_CONDITIONAL_FETCH", False, priority=prio)
    settings.set("SPORTNEWS_RECORD_RUNS", False, priority=prio)
    settings.set("AUTOTHROTTLE_ENABLED", False, priority=prio)
    settings.set("DOWNLOAD_DELAY", 0, priority=prio)
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["crawler.distributed.ratelimit.SharedRateLimitMiddleware"] = 950
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority=prio)
    if role == "seed":
        settings.set("ITEM_PIPELINES", {}, priority=prio)
        settings.set("SPORTNEWS_PROGRESS", False, priority=prio)
    else:
        # Workers run the stages before dedupe (extract, language); dedupe and storage need the
        # whole crawl's view, so they run once, in ingest.
        stages = settings.getdict("ITEM_PIPELINES")
        cut = min((v for k, v in stages.items() if k.endswith(".DedupePipeline")), default=300)
        pipelines = {k: v for k, v in stages.items() if v is not None and v < cut}
        pipelines["crawler.distributed.stream.RedisStreamPipeline"] = 900
        settings.set("ITEM_PIPELINES", pipelines, priority=prio)
