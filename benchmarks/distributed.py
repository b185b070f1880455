"""Distributed crawl benchmark: pages per second with 1, 2 and 3 workers, as ratios to 1 worker.

    .venv/bin/python benchmarks/distributed.py [--outlets 2] [--articles 140] [--delay 0.2] [--workers 1 2 3]

The generated outlets of tests/distributed_site.py are served with a fixed delay per request
(``FixtureSites(root, delay=...)``), so the network, not the CPU, bounds each worker, as against
real outlets. Each worker may keep one request in flight per host (``CONCURRENT_REQUESTS_PER_DOMAIN=1``),
so one worker fetches at most ``outlets / delay`` pages per second and N workers should approach N
times that. The shared per-host rate limit is set far above it (it is not what is measured here;
tests/test_distributed.py checks it). Each fleet size crawls the same site from scratch: a fresh
Redis key prefix, a fresh archive, one ingest process.

Pages/s counts article pages fetched, from the first to the last article request the server saw,
so process start-up (a few seconds of imports per worker) is left out; the end-to-end time from
seeding to the last row written is printed beside it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.fixture_server import FixtureSites  # noqa: E402  (after the path setup above)
from tests.distributed_site import redis_server, write_site  # noqa: E402

FAST_RATE = 1000.0
"""Per-host token rate far above what the delay allows (outlets x 1/delay per worker), so the
shared limiter never binds in this benchmark."""


def sportnews(*args: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def crawl(
    n_workers: int, sites: FixtureSites, toml: Path, redis_url: str, work: Path
) -> tuple[float, int, float, float]:
    """One fleet of ``n_workers``: (article pages/s, pages, end-to-end seconds, median gap between two
    requests to one host: the server delay plus what the fleet adds)."""
    prefix = f"bench{n_workers}"
    db = work / f"fleet{n_workers}.duckdb"
    settings = ["-s", "SPORTNEWS_PROGRESS=False", "-s", "RETRY_TIMES=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                "-s", f"SPORTNEWS_HOST_RATE={FAST_RATE}", "-s", "SPORTNEWS_EXTRACT_WORKERS=1"]  # fmt: skip
    sites.clear_hits()
    start = time.monotonic()
    seed = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--redis", redis_url, "--redis-prefix",
                           prefix, "--outlets", str(toml), "--db", str(db), *settings], cwd=ROOT, capture_output=True,
                          text=True)  # fmt: skip
    if seed.returncode != 0:
        raise SystemExit(f"seeding failed: {seed.stderr[-2000:]}")
    procs = [sportnews("ingest", "--redis", redis_url, "--redis-prefix", prefix, "--db", str(db), "--once",
                       log=work / f"ingest{n_workers}.log")]  # fmt: skip
    procs += [sportnews("worker", "--redis", redis_url, "--redis-prefix", prefix, "--wait", "30", *settings,
                        log=work / f"worker{n_workers}-{i}.log") for i in range(n_workers)]  # fmt: skip
    try:
        for p in procs:
            if p.wait(900) != 0:
                raise SystemExit(f"a process of the {n_workers}-worker fleet failed; logs in {work}")
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    total = time.monotonic() - start
    articles = [h for h in sites.hits if h.path.startswith("/calcio/")]
    times = sorted(h.at for h in articles)
    gaps = sorted(b - a for key in sites.keys for a, b in pairwise(sorted(h.at for h in articles if h.key == key)))
    return (len(times) - 1) / (times[-1] - times[0]), len(times), total, gaps[len(gaps) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=2, help="hosts (one in-flight request each per worker)")
    parser.add_argument("--articles", type=int, default=140, help="plain articles per outlet (+9 special pages)")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the server waits before each answer")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sportnews-bench-") as tmp:
        work = Path(tmp)
        write_site(work / "site", args.outlets, args.articles)
        with redis_server(work) as redis_url, FixtureSites(work / "site", delay=args.delay, lifetime=3600) as sites:
            toml = sites.write_outlets_toml(work / "outlets.toml")
            ceiling = args.outlets / args.delay
            print(f"{args.outlets} hosts, server delay {args.delay:g}s per request, 1 request in flight per host "
                  f"and worker: at most {ceiling:.1f} pages/s per worker")  # fmt: skip
            print(f"load average before: {os.getloadavg()[0]:.1f} (other processes on the machine skew the figures)")
            results: dict[int, float] = {}
            for n in args.workers:
                rate, pages, total, gap = crawl(n, sites, toml, redis_url, work)
                results[n] = rate
                base = results[args.workers[0]] / args.workers[0]
                label = f"{n} worker{'s' if n > 1 else ''}"
                print(f"{label:9}: {rate:6.1f} pages/s, ratio {rate / base:4.2f}x (ideal {n:.1f}x); {pages} article "
                      f"pages, median gap per host {gap * 1000:.0f} ms, {total:5.1f}s seed to last row",
                      flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
