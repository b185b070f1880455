"""Names of every Redis key a distributed crawl uses, in one place so workers and ingest agree."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "sportnews"
"""Key prefix; two fleets can share one Redis with different prefixes (``SPORTNEWS_REDIS_PREFIX``)."""
INGEST_GROUP = "ingest"
"""The one consumer group on the items stream."""


@dataclass(frozen=True)
class Keys:
    """Keys of one fleet (``prefix``); ``run(...)`` gives the keys of one crawl of it.

    Everything a crawl shares lives under ``<prefix>:run:<run_id>:`` so a finished crawl can be
    deleted whole and a new one never sees a stale claim or lease.
    """

    prefix: str = DEFAULT_PREFIX

    @property
    def current(self) -> str:
        """The run_id of the crawl workers should join (absent: none seeded yet)."""
        return f"{self.prefix}:current"

    @property
    def items(self) -> str:
        """The stream of extracted articles, duplicates and rejects, read by ingest."""
        return f"{self.prefix}:items"

    @property
    def ingest_lock(self) -> str:
        """Held by the one ingest process allowed to write the archive."""
        return f"{self.prefix}:ingest:lock"

    def rate(self, host: str) -> str:
        """Token bucket of one host, shared across crawls: politeness does not reset with a new run."""
        return f"{self.prefix}:rate:{host}"

    def pause(self, host: str) -> str:
        """Until when (Redis time, ms) nobody may ask this host anything: a 429/503 back-off."""
        return f"{self.prefix}:pause:{host}"

    def run(self, run_id: str) -> RunKeys:
        return RunKeys(f"{self.prefix}:run:{run_id}")


@dataclass(frozen=True)
class RunKeys:
    """Keys of one crawl."""

    base: str

    @property
    def config(self) -> str:
        """Hash: run_id, outlets, outlets_toml, since, max_articles, started, status, summary."""
        return self.base

    @property
    def requests(self) -> str:
        """Sorted set of the hosts with requests waiting, scored by their most urgent request.

        Each host's requests wait in ``<requests>:<host>`` (score = -priority, then arrival: FIFO
        within a priority), so a worker busy with one host can take another host's requests
        instead of hoarding the first host's, which it could only fetch one by one.
        """
        return f"{self.base}:requests"

    def host_queue(self, host: str) -> str:
        return f"{self.requests}:{host}"

    @property
    def queued(self) -> str:
        """Counter of requests waiting, all hosts together."""
        return f"{self.base}:queued"

    @property
    def seq(self) -> str:
        """Counter for request arrival order and lease ids."""
        return f"{self.base}:seq"

    @property
    def workers(self) -> str:
        """Set of worker ids that joined and may hold leases."""
        return f"{self.base}:workers"

    def inflight(self, worker: str) -> str:
        """Hash lease_id -> "score, host, request" (newline-separated) of the requests a worker is processing."""
        return f"{self.base}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        """Expiring key a live worker keeps refreshing; gone means its leases go back to the queue."""
        return f"{self.base}:alive:{worker}"

    @property
    def inflight_prefix(self) -> str:
        return f"{self.base}:inflight:"

    @property
    def alive_prefix(self) -> str:
        return f"{self.base}:alive:"

    @property
    def claims(self) -> str:
        """Hash url_key -> first URL that claimed it: one fetch per article across the fleet."""
        return f"{self.base}:claims"

    @property
    def scheduled(self) -> str:
        """Hash outlet -> article requests scheduled, for ``--max-articles`` across the fleet."""
        return f"{self.base}:scheduled"

    @property
    def sources(self) -> str:
        """Set of feed/sitemap/listing URLs already scheduled (the spider's seen_sources, shared)."""
        return f"{self.base}:sources"

    @property
    def dupefilter(self) -> str:
        """scrapy-redis request fingerprints, for requests that are neither articles nor sources."""
        return f"{self.base}:dupefilter"

    @property
    def known(self) -> str:
        """Hash url_key -> JSON [article_id, changed_at]: the archive as it was when the crawl was seeded."""
        return f"{self.base}:known"

    @property
    def settled(self) -> str:
        """Hash url -> reason: URLs that ended as a duplicate or a reject before this crawl."""
        return f"{self.base}:settled"

    @property
    def stats(self) -> str:
        """Hash of the ``sportnews/...`` counters of every worker and of ingest, summed."""
        return f"{self.base}:stats"

    @property
    def errors(self) -> str:
        """List of JSON [outlet, message]: failed sources, for the run summary."""
        return f"{self.base}:errors"

    @property
    def reclaimed(self) -> str:
        """List of URLs whose lease was taken back from a dead worker (fetched again)."""
        return f"{self.base}:reclaimed"
