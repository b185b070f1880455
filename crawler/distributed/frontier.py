"""The shared frontier: scrapy-redis' scheduler with leased requests and fleet-wide claims.

scrapy-redis gives the request queue, the fingerprint filter and the connection settings. Two
things it lacks for "nothing is lost, each URL fetched once" are added here:

- **Leases.** scrapy-redis pops a request and forgets it, so a killed worker loses every request
  it had in flight. Here a pop moves the request into the worker's in-flight hash in the same
  Lua call; the worker acknowledges it only once Scrapy is done with it (downloaded, parsed,
  its items handed to the stream, its new requests queued). A worker that stops refreshing its
  ``alive`` key is dead, and any worker puts its leases back in the queue.
- **Claims.** The spider's "one fetch per article" bookkeeping (URL keys claimed, sources seen,
  ``--max-articles`` per outlet) lives in Redis and is checked in the same Lua call that queues
  the request, so two workers that discover the same article at the same moment fetch it once
  and a variant found by another worker still becomes a ``duplicates`` row.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from crawler.distributed import serializer
from crawler.distributed.keys import Keys, RunKeys
from crawler.distributed.redisconf import redis_from_settings
from pipeline.urls import article_id_for, url_key

logger = logging.getLogger(__name__)

WORKER_TTL = 30.0
"""Seconds a worker may go without refreshing its ``alive`` key before its leases are taken
back. The reactor refreshes it 4 times a second, so 30 s only expires for a dead or hung worker,
while a crash costs at most 30 s before its requests are retried elsewhere."""
TICK_SECONDS = 0.25
"""How often a worker acknowledges finished requests, refreshes its lease and wakes its engine
when the shared queue has work (Scrapy itself only looks every 5 s when idle)."""
RECLAIM_SECONDS = 1.0
"""How often a worker looks for dead workers' leases and flushes its counters to Redis."""
HOST_BACKLOG = 2
"""Requests per allowed in-flight request a worker takes of one host: one downloading, one ready
to go the moment it finishes. More would sit in this worker while others could fetch them
(measured: a worker holding 32 requests of one host fetched 2 hosts at half speed)."""

ENQUEUE_LUA = """
-- KEYS: hosts, seq, claims, scheduled, sources, dupefilter, items stream, queued counter
-- ARGV: data, priority, mode, tag, url, outlet, max, counted, duplicate_of, run_id, host
local mode = ARGV[3]
if mode == 'claim' then
  local existing = redis.call('HGET', KEYS[3], ARGV[4])
  if existing then
    if existing == ARGV[5] then return {'seen'} end
    if ARGV[9] ~= '' then
      local dup = cjson.encode({outlet=ARGV[6], url=ARGV[5], duplicate_of=ARGV[9],
                                duplicate_of_url=existing, kind='url', similarity=1.0})
      redis.call('XADD', KEYS[7], '*', 'kind', 'duplicate', 'run', ARGV[10], 'item', dup)
    end
    return {'dup', existing}
  end
  local max = tonumber(ARGV[7])
  if ARGV[8] == '1' and max > 0 then
    if tonumber(redis.call('HGET', KEYS[4], ARGV[6]) or '0') >= max then return {'max'} end
  end
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
  if ARGV[8] == '1' then redis.call('HINCRBY', KEYS[4], ARGV[6], 1) end
elseif mode == 'source' then
  if redis.call('SADD', KEYS[5], ARGV[4]) == 0 then return {'seen'} end
elseif mode == 'filter' then
  if redis.call('SADD', KEYS[6], ARGV[4]) == 0 then return {'seen'} end
end
local score = -tonumber(ARGV[2]) * 1e12 + redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1] .. ':' .. ARGV[11], score, ARGV[1])
redis.call('ZADD', KEYS[1], 'LT', score, ARGV[11])
redis.call('INCR', KEYS[8])
return {'new'}
"""

POP_LUA = """
-- KEYS: hosts, seq, inflight hash of this worker, queued counter
-- ARGV: hosts this worker has enough requests of already (skipped)
local skip = {}
for i = 1, #ARGV do skip[ARGV[i]] = true end
for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, 999)) do
  if not skip[h] then
    local q = KEYS[1] .. ':' .. h
    local r = redis.call('ZPOPMIN', q)
    local nxt = redis.call('ZRANGE', q, 0, 0, 'WITHSCORES')
    if #nxt == 0 then redis.call('ZREM', KEYS[1], h) else redis.call('ZADD', KEYS[1], nxt[2], h) end
    if #r > 0 then
      redis.call('DECR', KEYS[4])
      local lease = redis.call('INCR', KEYS[2])
      redis.call('HSET', KEYS[3], lease, r[2] .. '\\n' .. h .. '\\n' .. r[1])
      return {tostring(lease), r[1]}
    end
  end
end
return false
"""

RECLAIM_LUA = """
-- KEYS: workers set, hosts, reclaimed list, queued counter
-- ARGV: inflight prefix, alive prefix, only this worker ('' = every dead one), record (1/0)
local moved = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local dead = (ARGV[3] == '' and redis.call('EXISTS', ARGV[2] .. w) == 0) or ARGV[3] == w
  if dead then
    local h = redis.call('HGETALL', ARGV[1] .. w)
    for i = 2, #h, 2 do
      local v = h[i]
      local a = string.find(v, '\\n', 1, true)
      local b = string.find(v, '\\n', a + 1, true)
      local score, host, data = tonumber(string.sub(v, 1, a - 1)), string.sub(v, a + 1, b - 1), string.sub(v, b + 1)
      redis.call('ZADD', KEYS[2] .. ':' .. host, score, data)
      redis.call('ZADD', KEYS[2], 'LT', score, host)
      redis.call('INCR', KEYS[4])
      if ARGV[4] == '1' then
        local ok, req = pcall(cjson.decode, data)
        if ok and type(req) == 'table' and type(req.url) == 'string' then
          redis.call('RPUSH', KEYS[3], req.url)
        end
      end
      moved = moved + 1
    end
    redis.call('DEL', ARGV[1] .. w)
    redis.call('SREM', KEYS[1], w)
  end
end
return moved
"""

DRAINED_LUA = """
-- KEYS: hosts, workers; ARGV: inflight prefix
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HLEN', ARGV[1] .. w) > 0 then return 0 end
end
return 1
"""


def is_drained(server: Redis, run: RunKeys) -> bool:
    """True when nothing is queued and no worker, live or dead, holds a lease: the crawl is over."""
    return bool(server.eval(DRAINED_LUA, 2, run.requests, run.workers, run.inflight_prefix))


def reclaim_dead(server: Redis, run: RunKeys, only: str = "", record: bool = True) -> int:
    """Put the leases of dead workers (or of ``only``) back in the queue; returns how many."""
    return int(server.eval(RECLAIM_LUA, 4, run.workers, run.requests, run.reclaimed, run.queued,
                           run.inflight_prefix, run.alive_prefix, only, "1" if record else "0"))  # fmt: skip


class LeasedQueue(RedisQueueBase):
    """Per-host priority queues (FIFO within a priority) whose pops are leases, not deletions.

    Built on scrapy-redis' queue base for request encoding (``SCHEDULER_SERIALIZER``); the
    scheduler uses ``push_checked`` and ``pop_leased`` instead of the plain push and pop.
    """

    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.run: RunKeys | None = None
        self.items_stream = ""
        self.run_id = ""
        self._enqueue = server.register_script(ENQUEUE_LUA)
        self._pop = server.register_script(POP_LUA)

    def bind(self, run: RunKeys, items_stream: str, run_id: str) -> None:
        self.run, self.items_stream, self.run_id = run, items_stream, run_id

    def __len__(self) -> int:
        if self.run is None:  # scrapy-redis asks before the scheduler binds us: hosts waiting, a lower bound
            return int(self.server.zcard(self.key))
        return max(0, int(self.server.get(self.run.queued) or 0))

    def has_work(self) -> bool:
        return bool(self.server.zcard(self.key))

    def push_checked(self, request: Request, mode: str, tag: str = "", outlet: str = "", max_articles: int = 0,
                     counted: bool = False, duplicate_of: str = "") -> list[str]:  # fmt: skip
        """Queue ``request`` unless its claim says otherwise; returns the Lua outcome
        (``new``, ``seen``, ``max``, or ``dup`` and the URL that claimed the article first)."""
        assert self.run is not None
        r = self.run
        out = self._enqueue(
            keys=[self.key, r.seq, r.claims, r.scheduled, r.sources, r.dupefilter, self.items_stream, r.queued],
            args=[self._encode_request(request), request.priority, mode, tag, request.url, outlet, max_articles,
                  "1" if counted else "0", duplicate_of, self.run_id, host_of(request)],
        )  # fmt: skip
        return [v.decode() if isinstance(v, bytes) else str(v) for v in out]

    def push(self, request: Request) -> None:
        self.push_checked(request, "plain")

    def pop_leased(self, worker: str, busy_hosts: Sequence[str] = ()) -> tuple[str, Request] | None:
        """The most urgent request of a host not in ``busy_hosts``, leased to ``worker``."""
        assert self.run is not None
        out = self._pop(keys=[self.key, self.run.seq, self.run.inflight(worker), self.run.queued],
                        args=list(busy_hosts))  # fmt: skip
        if not out:
            return None
        lease, data = out
        return (lease.decode() if isinstance(lease, bytes) else str(lease)), self._decode_request(data)

    def pop(self, timeout: int = 0) -> Request | None:
        raise NotImplementedError("LeasedQueue hands out leases: use pop_leased(worker)")


def host_of(request: Request) -> str:
    """Scrapy's own per-host download slot key."""
    return urlparse_cached(request).hostname or ""


class DistributedScheduler(RedisScheduler):
    """scrapy-redis' Scheduler on one crawl's keys, with leases and claims (module docstring).

    Roles (``SPORTNEWS_REDIS_ROLE``): ``seed`` only queues the start requests and never pops;
    ``worker`` pops, acknowledges, keeps itself alive, takes back dead workers' leases, and keeps
    the spider open until the whole crawl is drained (nothing queued, nothing leased anywhere).
    """

    def __init__(self, server: Redis, crawler: Crawler, keys: Keys, run_id: str, role: str,
                 worker_ttl: float = WORKER_TTL) -> None:  # fmt: skip
        run = keys.run(run_id)
        super().__init__(
            server,
            persist=True,  # the queue belongs to the crawl, not to this worker: never flushed on close
            queue_key=run.requests,
            queue_cls=f"{LeasedQueue.__module__}.{LeasedQueue.__name__}",
            dupefilter=RFPDupeFilter(server, key=run.dupefilter),
            dupefilter_key=run.dupefilter,
            serializer=serializer,
        )
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys, self.run, self.run_id, self.role = keys, run, run_id, role
        self.worker = f"{role}-{uuid.uuid4().hex[:12]}"
        self.worker_ttl_ms = max(1, int(worker_ttl * 1000))
        self.max_leases = max(1, crawler.settings.getint("CONCURRENT_REQUESTS", 16))
        self.host_backlog = HOST_BACKLOG * max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.leases: dict[Request, str] = {}
        self.flushed: dict[str, int] = {}
        self.loop: task.LoopingCall | None = None
        self.last_reclaim = 0.0
        self.queue: LeasedQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        s = crawler.settings
        run_id = s.get("SPORTNEWS_REDIS_RUN")
        if not run_id:
            raise ValueError("SPORTNEWS_REDIS_RUN is not set: start workers with `sportnews worker --redis URL`")
        server = redis_from_settings(s)
        server.ping()
        keys = Keys(s.get("SPORTNEWS_REDIS_PREFIX") or "sportnews")
        ttl = s.getfloat("SPORTNEWS_REDIS_WORKER_TTL", WORKER_TTL)
        o = cls(server, crawler, keys, run_id, s.get("SPORTNEWS_REDIS_ROLE", "worker"), ttl)
        crawler.signals.connect(o.spider_idle, signal=signals.spider_idle)
        return o

    # -- lifecycle -----------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.queue.bind(self.run, self.keys.items, self.run_id)
        if self.role != "worker":
            return
        self._refresh()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(TICK_SECONDS, now=False)
        logger.info("worker %s joined crawl %s (%d requests queued)", self.worker, self.run_id, len(self.queue))

    def close(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.flush_stats()
        if self.role != "worker":
            return
        self.ack_finished(everything=reason == "finished")
        # Anything still leased was not finished (a shutdown): back to the queue for the others.
        back = reclaim_dead(self.server, self.run, only=self.worker, record=False)
        if back:
            logger.info("worker %s left %d unfinished requests to the others", self.worker, back)
        self.server.delete(self.run.alive(self.worker))
        self.server.srem(self.run.workers, self.worker)

    # -- queueing ------------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        meta = request.meta
        outlet = str(meta.get("outlet") or "")
        fresh = not meta.get("retry_times") and not meta.get("redirect_times")
        callback = getattr(request.callback, "__name__", request.callback)
        if fresh and meta.get("source_kind"):
            outcome = self.queue.push_checked(request, "source", tag=request.url)
            if outcome[0] == "seen":
                self._inc(f"sportnews/{outlet}/sources", -1)
        elif fresh and callback == "parse_article" and outlet:
            key = url_key(request.url)
            counted = not meta.get("redirect_chain")  # a redirect's target is not a new discovery
            spider = self.spider
            outcome = self.queue.push_checked(
                request, "claim", tag=key, outlet=outlet, max_articles=int(getattr(spider, "max_articles", 0) or 0),
                counted=counted, duplicate_of=article_id_for(key) if counted else "",
            )  # fmt: skip
            self._claim_outcome(outlet, outcome[0], counted)
        elif request.dont_filter:
            outcome = self.queue.push_checked(request, "plain")
        else:
            outcome = self.queue.push_checked(request, "filter", tag=self.df.request_fingerprint(request))
        if outcome[0] != "new":
            return False
        self._inc("scheduler/enqueued/redis")
        return True

    def _claim_outcome(self, outlet: str, outcome: str, counted: bool) -> None:
        """Keep the per-outlet counts what one process would have counted.

        The spider counted the request as discovered and scheduled before the shared claim was
        asked; one process would have skipped a URL claimed earlier without counting it, and
        counted a URL over ``--max-articles`` as skipped.
        """
        if not counted or outcome == "new":
            return
        scheduled = getattr(self.spider, "scheduled", None)
        if scheduled is not None:
            scheduled[outlet] -= 1
        if outcome == "dup":
            return  # one process counts a variant as discovered too
        self._inc(f"sportnews/{outlet}/discovered", -1)
        if outcome == "max":
            self._inc(f"sportnews/{outlet}/skipped/max_articles")

    # A worker holds at most CONCURRENT_REQUESTS leases (downloading, waiting for a token, or
    # parsed and waiting for extraction): a worker that downloads faster than it extracts stops
    # taking requests the others could fetch, and a killed worker is re-done for that many at most.

    def busy_hosts(self) -> list[str]:
        """Hosts this worker already has ``HOST_BACKLOG`` x its per-host concurrency of in the downloader.

        Their next request would only wait in this worker (the rate limiter lets one host have
        ``CONCURRENT_REQUESTS_PER_DOMAIN`` in flight) while another worker, or another host, could
        use it: the pop skips them.
        """
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        active = getattr(downloader, "active", None) or ()
        counts = Counter(host_of(r) for r in active)
        return [h for h, n in counts.items() if n >= self.host_backlog]

    def next_request(self) -> Request | None:
        if self.role != "worker":
            return None
        if len(self.leases) >= self.max_leases:
            self.ack_finished()  # leases of finished requests free their places
            if len(self.leases) >= self.max_leases:
                return None  # enough on our plate: the rest is for the other workers
        popped = self.queue.pop_leased(self.worker, self.busy_hosts())
        if popped is None:
            return None
        lease, request = popped
        self.leases[request] = lease
        self._inc("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return self.role == "worker" and self.queue.has_work()

    # -- leases --------------------------------------------------------------------------------
    def _in_progress(self) -> set[Request] | None:
        """The engine's requests not finished yet (downloading, parsing, items in the pipelines).

        Scrapy removes a request from this set only after its callback's output went through
        every item pipeline, which is exactly when its lease may go. Scrapy offers no public
        signal for that moment; the attribute has the same name from Scrapy 2.0 to 2.19.
        """
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        return getattr(slot, "inprogress", None)

    def ack_finished(self, everything: bool = False) -> int:
        in_progress = self._in_progress()
        if in_progress is None and not everything:
            return 0
        done = [r for r in self.leases if everything or r not in (in_progress or ())]
        if not done:
            return 0
        self.server.hdel(self.run.inflight(self.worker), *(self.leases.pop(r) for r in done))
        return len(done)

    def _refresh(self) -> None:
        # Re-join too: a worker stalled past its TTL was dropped from the set by a reclaim, and
        # must be seen again by the drain check and by the next reclaim if it dies for good.
        pipe = self.server.pipeline(transaction=True)
        pipe.set(self.run.alive(self.worker), b"1", px=self.worker_ttl_ms)
        pipe.sadd(self.run.workers, self.worker)
        pipe.execute()

    def tick(self) -> None:
        """Every ``TICK_SECONDS``: stay alive, let finished leases go, take back dead workers' leases,
        and wake the engine when the shared queue has work (requests pushed by other workers)."""
        try:
            self._refresh()
            self.ack_finished()
            now = time.monotonic()
            if now - self.last_reclaim >= RECLAIM_SECONDS:
                self.last_reclaim = now
                moved = reclaim_dead(self.server, self.run)
                if moved:
                    logger.warning("took back %d requests from a dead worker of crawl %s", moved, self.run_id)
                    self._inc("sportnews/frontier/reclaimed", moved)
                self.flush_stats()
            engine = getattr(self.crawler, "engine", None)
            slot = getattr(engine, "_slot", None)
            if slot is not None and not engine.needs_backout():  # type: ignore[union-attr]
                slot.nextcall.schedule()
        except Exception:  # a Redis hiccup must not stop the loop; the next tick tries again
            logger.exception("frontier tick failed")

    def spider_idle(self, spider: Spider) -> None:
        """Keep a worker open while the crawl has work anywhere; let it close once drained."""
        if self.role != "worker":
            return
        self.ack_finished()
        if is_drained(self.server, self.run):
            logger.info("crawl %s drained: worker %s is done", self.run_id, self.worker)
            return
        raise DontCloseSpider

    # -- counters ------------------------------------------------------------------------------
    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, n)

    def flush_stats(self) -> None:
        """Add what this process counted since the last flush to the crawl's shared counters."""
        stats: Mapping[str, Any] = self.stats.get_stats() if self.stats is not None else {}
        deltas = {}
        for k, v in stats.items():
            if k.startswith("sportnews/") and isinstance(v, int) and not isinstance(v, bool):
                d = v - self.flushed.get(k, 0)
                if d:
                    deltas[k] = d
        if not deltas:
            return
        pipe = self.server.pipeline(transaction=False)
        for k, d in deltas.items():
            pipe.hincrby(self.run.stats, k, d)
        pipe.execute()
        for k, d in deltas.items():
            self.flushed[k] = self.flushed.get(k, 0) + d
