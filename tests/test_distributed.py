"""A distributed crawl on a real Redis: three workers (one killed and restarted) and one ingest
process end with the same archive as one process, each URL fetched once, each host within its rate."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crawler.fixture_server import FixtureSites
from tests.distributed_site import fetched_article_paths, prepare_archive, write_site

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server not found: `apt-get install redis-server` (.ci/setup.sh does it)"
)

ROOT = Path(__file__).resolve().parents[1]
HOST_RATE = 8.0
"""Requests per second per host for the fleet in the test: low enough that three workers would
exceed it many times over without the shared limit, high enough for a crawl of ~15 s."""
HOST_BURST = 1
JITTER = 1
"""Arrivals one second may hold beyond rate + burst: the server times a request when it arrives,
not when its token was granted, and on a loaded 2-core machine a request granted at the end of one
second can be delayed into the next, beside one sent on time."""
OUTLETS, ARTICLES = 8, 64
"""8 hosts x 73 article URLs fetched = 584 article pages (plus feeds, sitemaps, robots.txt)."""
KILL_AFTER = 150
"""Article pages the fleet has fetched when one worker is killed: well into the crawl."""
COMMON = ["-s", "SPORTNEWS_PROGRESS=False", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
          "-s", "RETRY_TIMES=0"]  # fmt: skip
FLEET = [*COMMON, "-s", f"SPORTNEWS_HOST_RATE={HOST_RATE}", "-s", f"SPORTNEWS_HOST_BURST={HOST_BURST}",
         "-s", "SPORTNEWS_EXTRACT_WORKERS=1", "-s", "SPORTNEWS_REDIS_WORKER_TTL=5"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away redis-server on 127.0.0.1: no persistence, its own folder, stopped after the module."""
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    proc = subprocess.Popen([str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    from redis import Redis

    client = Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.skip(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(10)


def sportnews(*args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    out = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """End a process we started and its extraction children (its own session)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def archive(db: Path) -> dict[str, Any]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = con.execute
        return {
            # same text, same outlet, same metadata; which URL of an exact same-outlet pair wins depends
            # on arrival order, in one process too, so articles are compared by content
            "articles": Counter(
                q(
                    "SELECT outlet, content_hash, title, text, published_at, language, word_count FROM articles"
                ).fetchall()
            ),
            "urls": {
                r[0]
                for r in q(
                    "SELECT url FROM articles UNION ALL SELECT url FROM duplicates UNION ALL SELECT url FROM rejects"
                ).fetchall()
            },
            "counts": q(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM duplicates), "
                "(SELECT count(*) FROM rejects), (SELECT count(*) FROM pages)"
            ).fetchone(),
            "rejects": sorted(q("SELECT url, reason, attempts FROM rejects").fetchall()),
            "duplicate_kinds": Counter(r[0] for r in q("SELECT kind FROM duplicates").fetchall()),
            "linked": q("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone(),
            "updated": sorted(q("SELECT url, title FROM articles WHERE title LIKE 'Aggiornato%'").fetchall()),
            "runs": q("SELECT status FROM crawl_runs WHERE run_id <> 'earlier'").fetchall(),
        }
    finally:
        con.close()


def max_per_window(times: list[float], window: float = 1.0) -> int:
    """The most requests inside any half-open window of ``window`` seconds."""
    times, best, j = sorted(times), 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_fleet_with_a_killed_worker_builds_the_same_archive_as_one_process(
    redis_url: str, tmp_path: Path
) -> None:  # fmt: skip
    layout = write_site(tmp_path / "site", OUTLETS, ARTICLES)
    expected = fetched_article_paths(layout)
    assert sum(len(v) for v in expected.values()) >= 500
    with FixtureSites(tmp_path / "site", lifetime=300) as sites:
        toml = sites.write_outlets_toml(tmp_path / "outlets.toml")
        prepare_archive(tmp_path / "before.duckdb", layout, {k: sites.base(k) for k in sites.keys})
        single, fleet = tmp_path / "single.duckdb", tmp_path / "fleet.duckdb"
        shutil.copy(tmp_path / "before.duckdb", single)
        shutil.copy(tmp_path / "before.duckdb", fleet)

        # one process: the reference
        t0 = time.monotonic()
        res = run("crawl", "--outlets", str(toml), "--db", str(single), *COMMON)
        assert res.returncode == 0, res.stderr[-3000:]
        single_hits = sites.hits
        sites.clear_hits()
        t1 = time.monotonic()

        # the fleet: seed, one ingest, three workers; one is killed mid-way and replaced
        res = run("crawl", "--redis", redis_url, "--outlets", str(toml), "--db", str(fleet), *FLEET)
        assert res.returncode == 0, res.stderr[-3000:]
        logs = tmp_path / "logs"
        logs.mkdir()
        ingest = sportnews("ingest", "--redis", redis_url, "--db", str(fleet), "--once", log=logs / "ingest.log")
        workers = [sportnews("worker", "--redis", redis_url, "--wait", "20", *FLEET, log=logs / f"w{i}.log")
                   for i in range(3)]  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while sum(1 for h in sites.hits if h.path.startswith("/calcio/")) < KILL_AFTER:
                assert time.monotonic() < deadline, "the fleet fetched too little in 60 s"
                time.sleep(0.05)
            os.killpg(workers[0].pid, signal.SIGKILL)  # the worker and its extraction process, no goodbye
            workers[0].wait(10)
            workers.append(sportnews("worker", "--redis", redis_url, "--wait", "20", *FLEET, log=logs / "w3.log"))
            codes = [w.wait(90) for w in workers[1:]]
            assert ingest.wait(60) == 0, (logs / "ingest.log").read_text()[-3000:]
        finally:
            for p in [*workers, ingest]:
                stop_group(p)
        assert codes == [0, 0, 0], [(logs / f"w{i}.log").read_text()[-2000:] for i in (1, 2, 3)]
        fleet_hits = sites.hits
        t2 = time.monotonic()

    from redis import Redis

    server = Redis.from_url(redis_url)
    run_id = server.get("sportnews:current").decode()
    reclaimed = {u.decode() for u in server.lrange(f"sportnews:run:{run_id}:reclaimed", 0, -1)}
    assert server.hget(f"sportnews:run:{run_id}", "status") == b"finished"

    # the same archive
    one, many = archive(single), archive(fleet)
    assert many["runs"] == [("finished",)]
    assert many["counts"] == one["counts"]
    assert many["articles"] == one["articles"]
    assert many["urls"] == one["urls"]
    assert many["rejects"] == one["rejects"]
    assert many["duplicate_kinds"] == one["duplicate_kinds"]
    assert all(one["duplicate_kinds"][k] == OUTLETS for k in ("url", "redirect", "exact")), one["duplicate_kinds"]
    assert many["linked"] == one["linked"] == (OUTLETS - 1,)  # the agency text: 7 copies link to the first
    assert len(many["updated"]) == OUTLETS * 3

    # every URL fetched once; only requests taken back from the killed worker may have gone twice
    for label, hits, again in (("one process", single_hits, set()), ("fleet", fleet_hits, reclaimed)):
        counts = Counter((h.key, h.path) for h in hits)
        for key, paths in expected.items():
            for p in (*paths, "/rss.xml", "/sitemap.xml"):
                n = counts[(key, p)]
                allowed = 2 if any(u.endswith(p) for u in again) else 1
                assert 1 <= n <= allowed, f"{label}: {key}{p} fetched {n} times"
            lay = layout[key]
            for p in (lay["settled"], lay["unchanged"], lay["variant"]):
                assert counts[(key, p)] == 0, f"{label}: {key}{p} should not be fetched"

    # politeness: no host ever above the shared rate, though three workers would triple it
    by_host: dict[str, list[float]] = defaultdict(list)
    for h in fleet_hits:
        by_host[h.key].append(h.at)
    worst = max(max_per_window(t) for t in by_host.values())
    assert worst <= HOST_RATE + HOST_BURST + JITTER, f"a host got {worst} requests in one second"
    gaps = [b - a for t in by_host.values() for a, b in zip(sorted(t), sorted(t)[1:], strict=False)]
    gaps.sort()
    print(f"\nfleet: {len(fleet_hits)} requests, {len(reclaimed)} re-done after the kill; busiest host-second "
          f"{worst} (limit {HOST_RATE:g}/s + burst {HOST_BURST}); gaps between requests to a host: "
          f"median {gaps[len(gaps) // 2] * 1000:.0f} ms, 1st percentile {gaps[len(gaps) // 100] * 1000:.0f} ms; "
          f"one process {t1 - t0:.1f}s, fleet {t2 - t1:.1f}s")  # fmt: skip
