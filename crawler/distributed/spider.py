"""The generic outlet spider as a member of a fleet: archive state and claims come from Redis."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.backlog import ArticleBacklog
from crawler.distributed.keys import Keys
from crawler.distributed.redisconf import redis_from_settings
from crawler.spiders.outlet import OutletSpider, parse_iso

logger = logging.getLogger(__name__)

PUBLISH_CHUNK = 2_000
"""Hash fields per HSET when the seeder publishes the archive state: big enough to be a few round
trips for 100k articles, small enough not to block Redis for more than a few milliseconds."""


class _NotRemembered(dict[str, str]):
    """A claims map that never holds anything.

    The parent spider decides "first fetch or duplicate" with an in-memory map; in a fleet that
    decision belongs to the shared frontier, which makes it atomically when the request is queued
    (crawler/distributed/frontier.py). So the spider always proposes the request.
    """

    def __setitem__(self, key: str, value: str) -> None:
        return None


class _NotRememberedSet(set[str]):
    def add(self, element: str) -> None:
        return None


class DistributedOutletSpider(OutletSpider):
    """``OutletSpider`` whose per-run memory is shared by every worker of a crawl.

    The seeder (``sportnews crawl --redis``) reads the archive and publishes what it knows (known
    articles and their change times, settled URLs) into the crawl's keys, then queues the start
    requests. Workers load that snapshot instead of opening the archive, start nothing
    themselves, and take requests from the shared frontier.
    """

    pack_archive_state = False  # the seeder publishes the keys and URLs themselves

    name = "outlet-redis"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedOutletSpider:
        spider: DistributedOutletSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        s = crawler.settings
        spider.role = s.get("SPORTNEWS_REDIS_ROLE", "worker")
        spider.run_id = s.get("SPORTNEWS_REDIS_RUN")
        spider.server = redis_from_settings(s)
        spider.run_keys = Keys(s.get("SPORTNEWS_REDIS_PREFIX") or "sportnews").run(spider.run_id)
        spider.claimed_keys = _NotRemembered()
        spider.claimed_urls = _NotRememberedSet()
        # The frontier is Redis: every claimed URL goes there at once, out of this process's memory,
        # where any worker can take it.
        spider.backlog = ArticleBacklog(0)
        # The recency window is the crawl's, not each worker's: a worker joining later must not
        # drop entries the others would take.
        started = parse_iso((spider.server.hget(spider.run_keys.config, "started") or b"").decode())
        if started is not None:
            spider.started = started
            spider.cutoff = started - timedelta(days=spider.since_days)
        return spider

    # -- archive state -------------------------------------------------------------------------
    def load_archive_state(self) -> None:
        if self.role == "seed":
            super().load_archive_state()
            self.publish_archive_state()
            return
        r, known = self.run_keys, {}
        for key, value in self.server.hscan_iter(r.known, count=PUBLISH_CHUNK):
            article_id, changed = json.loads(value)
            known[key.decode()] = (article_id, parse_iso(changed))
        self.known = known
        self.settled = {k.decode(): v.decode() for k, v in self.server.hscan_iter(r.settled, count=PUBLISH_CHUNK)}
        logger.info("crawl %s: %d known articles, %d settled URLs", self.run_id, len(self.known), len(self.settled))

    def publish_archive_state(self) -> None:
        """The seeder's archive view, for workers (claims) and ingest (URL duplicates of stored articles)."""
        r = self.run_keys
        pipe = self.server.pipeline(transaction=False)
        pipe.delete(r.known, r.settled)
        known = [
            (k, json.dumps([aid, changed.isoformat() if changed else None])) for k, (aid, changed) in self.known.items()
        ]
        for i in range(0, len(known), PUBLISH_CHUNK):
            pipe.hset(r.known, mapping=dict(known[i : i + PUBLISH_CHUNK]))
        settled = list(self.settled.items())
        for i in range(0, len(settled), PUBLISH_CHUNK):
            pipe.hset(r.settled, mapping=dict(settled[i : i + PUBLISH_CHUNK]))
        pipe.execute()
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("sportnews/seed/known", len(self.known))

    # -- start -----------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        self.load_archive_state()
        if self.role != "seed":
            return
        for outlet in self.outlets.values():
            for req in self.source_requests(outlet):
                yield req

    # -- shared notes ----------------------------------------------------------------------------
    def note_source_error(self, outlet: str, url: str, message: str) -> None:
        super().note_source_error(outlet, url, message)
        self.server.rpush(self.run_keys.errors, json.dumps([outlet, f"{url}: {message}"]))
