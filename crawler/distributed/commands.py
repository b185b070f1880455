"""``sportnews worker``, ``sportnews ingest`` and ``sportnews crawl --redis``: a crawl spread over processes."""

from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.distributed.keys import DEFAULT_PREFIX, Keys

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3
POLL_SECONDS = 1.0
"""How often a waiting worker or ``crawl --wait`` looks at Redis: one GET, negligible load."""


def _fail(message: str, code: int) -> int:
    from crawler.cli import _fail as cli_fail

    return cli_fail(message, code)


def _connect(url: str) -> Any:
    """A Redis client that answered PING, or None after printing why not."""
    from redis.exceptions import RedisError

    from crawler.distributed.redisconf import redis_from_url

    try:
        server = redis_from_url(url)
        server.ping()
    except (RedisError, ValueError) as exc:
        _fail(f"cannot reach Redis at {url}: {exc}", EXIT_FAILED)
        return None
    return server


def _status(server: Any, keys: Keys, run_id: str) -> str:
    return (server.hget(keys.run(run_id).config, "status") or b"").decode()


def _config(server: Any, keys: Keys, run_id: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in server.hgetall(keys.run(run_id).config).items()}


def _backlog(server: Any, keys: Keys, run_id: str) -> str:
    run = keys.run(run_id)
    leased = sum(int(server.hlen(run.inflight(w.decode()))) for w in server.smembers(run.workers))
    return f"{int(server.get(run.queued) or 0)} queued, {leased} in flight, {server.xlen(keys.items)} not yet ingested"


# -- crawl --redis: seed ----------------------------------------------------------------------------
def cmd_seed(args: argparse.Namespace) -> int:
    """Queue a distributed crawl: read the archive, publish what it knows, push the start requests."""
    from crawler.cli import crawl_settings, print_summary
    from crawler.distributed.redisconf import role_settings
    from crawler.outlets.registry import OutletFileError, select_outlets
    from pipeline.store_stage import new_run_id

    try:
        outlets = select_outlets(args.outlet or None, args.outlets)
    except OutletFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if not outlets:
        return _fail("no outlets selected", EXIT_USAGE)
    server = _connect(args.redis)
    if server is None:
        return EXIT_FAILED
    keys = Keys(args.redis_prefix)
    current = (server.get(keys.current) or b"").decode()
    if current and _status(server, keys, current) in ("seeding", "running"):
        if not args.replace:
            return _fail(f"crawl {current} is still running ({_backlog(server, keys, current)}); wait for it, "
                         "or pass --replace to abandon it", EXIT_FAILED)  # fmt: skip
        abandon(server, keys, current)
    settings = crawl_settings(args)
    run_id = new_run_id()
    since = args.since if args.since is not None else settings.getfloat("SPORTNEWS_SINCE_DAYS")
    max_articles = args.max_articles if args.max_articles is not None else settings.getint("SPORTNEWS_MAX_ARTICLES")
    selected = [o.key for o in outlets] if (args.outlet or not args.outlets) else None
    from datetime import UTC, datetime

    config = {
        "run_id": run_id, "status": "seeding", "started": datetime.now(UTC).isoformat(),
        "outlets": json.dumps([o.key for o in outlets]), "selected": json.dumps(selected),
        "outlets_toml": Path(args.outlets).read_text("utf-8") if args.outlets else "",
        "since": str(since), "max_articles": str(max_articles), "db": str(args.db), "seeded_by": socket.gethostname(),
    }  # fmt: skip
    run = keys.run(run_id)
    server.hset(run.config, mapping=config)
    server.xadd(keys.items, {"kind": "run", "run": run_id,
                             "item": json.dumps({"outlets": [o.key for o in outlets], "since": since})})  # fmt: skip
    role_settings(settings, args.redis, run_id, "seed", args.redis_prefix)
    stats = _run_spider(settings, selected, args.outlets, since, max_articles, args.db)
    queued = int(server.get(run.queued) or 0)
    if not queued:
        server.hset(run.config, "status", "abandoned")
        return _fail(f"nothing to crawl: no start request was queued for crawl {run_id}; see the log above",
                     EXIT_FAILED)  # fmt: skip
    pipe = server.pipeline(transaction=True)
    pipe.hset(run.config, "status", "running")
    pipe.set(keys.current, run_id)
    pipe.execute()
    from crawler.cli import _console

    console = _console(stderr=True)
    known = int(stats.get("sportnews/seed/known", 0))
    console.print(f"crawl {run_id} seeded: {queued} start requests for {len(outlets)} outlets, {known} known "
                  f"articles published. Run `sportnews worker --redis {args.redis}` on each machine and one "
                  "`sportnews ingest`.")  # fmt: skip
    if not args.wait:
        return EXIT_OK
    while _status(server, keys, run_id) == "running":
        time.sleep(POLL_SECONDS)
    final = _config(server, keys, run_id)
    if final.get("status") != "finished":
        return _fail(f"crawl {run_id} ended {final.get('status') or 'without a status'}", EXIT_FAILED)
    print_summary({"sportnews/summary": json.loads(final.get("summary") or "{}"), "sportnews/run_id": run_id,
                   "sportnews/db": final.get("db", "?"), "finish_reason": "finished"})  # fmt: skip
    return EXIT_OK


def abandon(server: Any, keys: Keys, run_id: str) -> None:
    """Stop handing out a crawl's requests: workers of it find nothing left and exit."""
    run = keys.run(run_id)
    logger.warning("abandoning crawl %s (%s)", run_id, _backlog(server, keys, run_id))
    pipe = server.pipeline(transaction=True)
    pipe.hset(run.config, "status", "abandoned")
    pipe.delete(run.requests, run.queued, *(run.host_queue(h.decode()) for h in server.zrange(run.requests, 0, -1)))
    pipe.execute()


def _run_spider(settings: Any, selected: list[str] | None, outlets_file: str | None, since: float,
                max_articles: int, db: str | None) -> dict[str, Any]:  # fmt: skip
    """One Scrapy run of the distributed spider in this process (seeder or worker)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.distributed.spider import DistributedOutletSpider

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DistributedOutletSpider)
    kwargs: dict[str, Any] = {"since": since, "max_articles": max_articles}
    if selected:
        kwargs["outlet"] = ",".join(selected)
    if outlets_file:
        kwargs["outlets_file"] = outlets_file
    if db:
        kwargs["db"] = db
    process.crawl(crawler, **kwargs)
    process.start()
    return crawler.stats.get_stats() if crawler.stats else {}


# -- worker -------------------------------------------------------------------------------------------
def wait_for_crawl(server: Any, keys: Keys, wait: float | None) -> str | None:
    """The run_id of the running crawl, waiting up to ``wait`` seconds (None: forever) for one."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        current = (server.get(keys.current) or b"").decode()
        if current and _status(server, keys, current) == "running":
            return current
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def cmd_worker(args: argparse.Namespace) -> int:
    from crawler.cli import crawl_settings
    from crawler.distributed.redisconf import role_settings

    server = _connect(args.redis)
    if server is None:
        return EXIT_FAILED
    keys = Keys(args.redis_prefix)
    run_id = wait_for_crawl(server, keys, args.wait)
    if run_id is None:
        _fail(f"no crawl to join after {args.wait:g}s: seed one with `sportnews crawl --redis {args.redis}`", EXIT_OK)
        return EXIT_OK
    config = _config(server, keys, run_id)
    settings = crawl_settings(args)
    role_settings(settings, args.redis, run_id, "worker", args.redis_prefix)
    with tempfile.TemporaryDirectory(prefix="sportnews-worker-") as tmp:
        outlets_file = None
        if config.get("outlets_toml"):  # the seeder's outlet file, so workers need no copy of it
            outlets_file = str(Path(tmp) / "outlets.toml")
            Path(outlets_file).write_text(config["outlets_toml"], encoding="utf-8")
        selected = json.loads(config.get("selected") or "null")
        stats = _run_spider(settings, selected, outlets_file, float(config.get("since") or 2),
                            int(config.get("max_articles") or 0), None)  # fmt: skip
    reason = stats.get("finish_reason", "?")
    logger.info("worker left crawl %s: %s", run_id, reason)
    return EXIT_OK if reason == "finished" else EXIT_FAILED


# -- ingest -------------------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    from crawler.distributed.ingest import Ingest, IngestBusy
    from crawler.runlock import RunLock, RunLockBusy
    from storage.connection import ArchiveError, ArchiveLockedError

    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")  # fmt: skip
    server = _connect(args.redis)
    if server is None:
        return EXIT_FAILED
    try:
        run_lock = RunLock(args.db).acquire(wait=args.lock_wait)
    except RunLockBusy as exc:
        return _fail(f"the archive is busy: {exc}", EXIT_ARCHIVE)
    except OSError as exc:
        return _fail(f"cannot take the run lock next to {args.db}: {exc}", EXIT_ARCHIVE)
    ingest = Ingest(server, args.db, Keys(args.redis_prefix), consumer=args.consumer, batch_size=args.batch_size,
                    flush_seconds=args.flush_seconds, lock_timeout=args.lock_timeout)  # fmt: skip
    ingest.install_signal_handlers()
    with run_lock:
        try:
            ingest.run(once=args.once)
        except IngestBusy as exc:
            return _fail(str(exc), EXIT_ARCHIVE)
        except (ArchiveError, ArchiveLockedError) as exc:
            return _fail(str(exc), EXIT_ARCHIVE)
    logger.info("ingest stopped after writing %d rows", ingest.written)
    return EXIT_OK


# -- parsers ------------------------------------------------------------------------------------------
def _redis_args(sp: argparse.ArgumentParser, required: bool) -> None:
    sp.add_argument("--redis", required=required, metavar="URL",
                    help="Redis of the fleet, e.g. redis://10.0.0.5:6379/0 (rediss:// for TLS)")  # fmt: skip
    sp.add_argument("--redis-prefix", default=DEFAULT_PREFIX, metavar="NAME",
                    help=f"key prefix, to run several fleets on one Redis (default {DEFAULT_PREFIX})")  # fmt: skip


def add_crawl_options(c: argparse.ArgumentParser) -> None:
    """``crawl --redis``: seed a distributed crawl instead of crawling in this process."""
    _redis_args(c, required=False)
    c.add_argument("--wait", action="store_true", help="with --redis: wait for the crawl to finish, then summarize")
    c.add_argument("--replace", action="store_true", help="with --redis: abandon a crawl still running")


def add_parsers(sub: Any) -> None:
    from crawler import settings as defaults

    w = sub.add_parser("worker", help="join the running distributed crawl and fetch from its shared queue",
                       description="Take requests from the crawl seeded with `sportnews crawl --redis`, until "
                       "it is drained; items go to Redis for `sportnews ingest`. Exits 0 when the crawl "
                       "is done.")  # fmt: skip
    _redis_args(w, required=True)
    w.add_argument("--wait", type=float, metavar="SECONDS",
                   help="give up (exit 0) when no crawl is running after this long (default: forever)")  # fmt: skip
    w.add_argument("--log-level", default="INFO", help="Scrapy log level (default INFO)")
    w.add_argument("--log-file", help="write the Scrapy log to this file")
    w.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy/sportnews setting")
    w.set_defaults(func=cmd_worker)

    i = sub.add_parser("ingest", help="write a distributed crawl's items into the archive (one per archive)",
                       description="Read articles, duplicates and rejects from Redis, deduplicate and write them "
                       "in batches; the only process writing the archive while it runs.")  # fmt: skip
    _redis_args(i, required=True)
    i.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    i.add_argument("--once", action="store_true", help="exit once no crawl is running and everything is written")
    i.add_argument("--consumer", help="name in the consumer group (default ingest-<host>-<pid>)")
    i.add_argument("--batch-size", type=int, default=defaults.SPORTNEWS_BATCH_SIZE, help="rows per transaction")
    i.add_argument("--flush-seconds", type=float, default=2.0, help="commit a partial batch after this long")
    i.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds a batch waits for a reader holding the archive")  # fmt: skip
    i.add_argument("--lock-wait", type=float, default=0.0, help="wait this long for a local crawl of the archive")
    i.add_argument("--log-level", default="INFO", help="log level (default INFO)")
    i.set_defaults(func=cmd_ingest)
