"""A distributed crawl on a real Redis: three workers (one killed and restarted) and one ingest
process end with the same archive as one process, each URL fetched once, each host within its rate."""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crawler.distributed.keys import Keys
from crawler.distributed.stream import decode_fields, decode_item, encode_item
from crawler.fixture_server import FixtureSites
from pipeline.items import Discovery, Duplicate, ExtractedArticle, Reject
from storage import page_codec
from tests.distributed_site import fetched_article_paths, paragraphs, prepare_archive, redis_server, write_site

ROOT = Path(__file__).resolve().parents[1]
HOST_RATE = 10.0
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


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away redis-server on 127.0.0.1: no persistence, its own folder, stopped after the module."""
    try:
        with redis_server(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except (FileNotFoundError, RuntimeError) as exc:
        pytest.skip(str(exc))


def sportnews(*args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    """A sportnews process in its own session; with a log, its temporary files go beside the log (a
    worker killed with SIGKILL cannot remove its folder, which stayed in /tmp after every run)."""
    out = log.open("wb") if log else subprocess.DEVNULL
    env = {**os.environ, "TMPDIR": str(log.parent)} if log else None
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env)  # fmt: skip


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

    # a worker holds at most CONCURRENT_REQUESTS (32) leases, so that is all a kill can cost
    assert len(reclaimed) <= 32, len(reclaimed)

    # politeness: no host ever above the shared rate, though three workers would triple it
    by_host: dict[str, list[float]] = defaultdict(list)
    for h in fleet_hits:
        by_host[h.key].append(h.at)
    worst = max(max_per_window(t) for t in by_host.values())
    assert worst <= HOST_RATE + HOST_BURST + JITTER, f"a host got {worst} requests in one second"
    gaps = [b - a for t in by_host.values() for a, b in pairwise(sorted(t))]
    gaps.sort()
    print(f"\nfleet: {len(fleet_hits)} requests, {len(reclaimed)} re-done after the kill; busiest host-second "
          f"{worst} (limit {HOST_RATE:g}/s + burst {HOST_BURST}); gaps between requests to a host: "
          f"median {gaps[len(gaps) // 2] * 1000:.0f} ms, 1st percentile {gaps[len(gaps) // 100] * 1000:.0f} ms; "
          f"one process {t1 - t0:.1f}s, fleet {t2 - t1:.1f}s")  # fmt: skip


# -- the parts, one at a time -----------------------------------------------------------------------
def extracted(url: str = "http://127.0.0.31:8081/calcio/1-a1-x", outlet: str = "club1") -> ExtractedArticle:
    text = "\n".join(paragraphs(url))
    from pipeline.text import content_hash
    from pipeline.urls import url_key

    return ExtractedArticle(
        outlet=outlet, url=url, canonical_url=url, url_key=url_key(url), title="Titolo", authors=["Mario Rossi"],
        published_at="2026-01-15T10:00:00+01:00", published_raw="x", published_source="json-ld", modified_at=None,
        description=None, section=None, tags=[], image=None, text=text, language="it", language_prob=0.99,
        word_count=len(text.split()), content_hash=content_hash(text), page_kind="article",
        fetched_at="2026-01-15T10:00:00+00:00", http_status=200, raw_html=b"<html>\xe8 pagina</html>",
        content_type="text/html", discovery=Discovery("feed", "http://127.0.0.31:8081/rss.xml", title="t"),
    )  # fmt: skip


def test_stream_messages_carry_every_field() -> None:
    items = [extracted(), Duplicate("club1", "http://h/x?utm_source=a", "abc", "http://h/x", "url"),
             Reject("club1", "http://h/y", "http_404", "HTTP 404", 404)]  # fmt: skip
    for item in items:
        fields = {k.encode(): v.encode() if isinstance(v, str) else v for k, v in encode_item(item, "r1").items()}
        back = decode_item(decode_fields(fields))
        if isinstance(back, ExtractedArticle):  # the page travels compressed and arrives with it too
            assert back.html_compressed and page_codec.decompress(back.html_compressed) == item.raw_html
            assert back.html_compressed.startswith(page_codec.ZSTD_MAGIC)
            back = dataclasses.replace(back, html_compressed=None)
        assert back == item
    # A message from a worker of the release before (the page gzipped, under "html_gz") reads the same.
    fields = {**encode_item(items[0], "r1"), "html_gz": gzip.compress(items[0].raw_html)}
    del fields["html_compressed"]
    old = decode_item(decode_fields(fields))
    assert isinstance(old, ExtractedArticle) and old.raw_html == items[0].raw_html


def test_request_queue_serializer_is_json_and_keeps_meta() -> None:
    from scrapy import Request
    from scrapy.utils.request import request_from_dict

    from crawler.distributed import serializer

    req = Request("http://h/a", headers={"If-None-Match": '"x"'}, body=b"\x00\xff", priority=10, dont_filter=True,
                  meta={"outlet": "club1", "discovery": Discovery("sitemap", "http://h/s.xml", lastmod="2026"),
                        "redirect_chain": ["http://h/old"], "handle_httpstatus_list": [301, 302]})  # fmt: skip
    data = serializer.dumps(req.to_dict())
    assert data.startswith(b"{")  # never pickle: anyone who can write to Redis could run code on workers
    back = request_from_dict(serializer.loads(data))
    assert (back.url, back.body, back.priority, back.dont_filter) == (req.url, req.body, 10, True)
    assert back.meta == req.meta and back.headers.get("If-None-Match") == b'"x"'
    with pytest.raises(TypeError, match="shared request queue"):
        serializer.dumps({"meta": {"x": object()}})


def test_rate_and_backoff_are_shared_between_workers(redis_url: str) -> None:
    import asyncio

    from redis import Redis

    from crawler.distributed.ratelimit import HostRateLimiter

    keys = Keys("ratetest")
    a, b = (HostRateLimiter(Redis.from_url(redis_url), keys, rate=20.0, burst=1) for _ in range(2))

    async def take_all(n: int) -> list[float]:
        times: list[float] = []
        for i in range(n):
            await (a if i % 2 else b).take("h1")  # two workers taking turns on one host
            times.append(time.monotonic())
        return times

    times = asyncio.run(take_all(8))
    gaps = [y - x for x, y in pairwise(times)]
    assert min(gaps) >= 0.045, gaps  # 20/s: 50 ms apart (Redis rounds to whole ms)
    assert b.try_take("h2") == 0.0  # other hosts have their own bucket
    a.pause("h2", 0.6)  # a 429 seen by worker a...
    wait = b.try_take("h2")  # ...holds worker b too
    assert 0.5 < wait <= 0.6
    a.pause("h2", 0.1)  # a shorter pause never shortens a longer one
    assert b.try_take("h2") > 0.4
    with pytest.raises(ValueError):
        HostRateLimiter(Redis.from_url(redis_url), keys, rate=0)


def ingest_run(redis_url: str, db: Path, prefix: str) -> Any:
    from redis import Redis

    from crawler.distributed.ingest import Ingest

    ingest = Ingest(Redis.from_url(redis_url), db, Keys(prefix), consumer="ingest-test", flush_seconds=0.1)
    ingest.run(once=True)
    return ingest


def seed_messages(server: Any, keys: Keys, run_id: str, items: list[Any]) -> None:
    import json

    server.hset(keys.run(run_id).config, mapping={"run_id": run_id, "status": "running", "outlets": '["club1"]',
                                                  "started": "2026-01-15T10:00:00+00:00"})  # fmt: skip
    server.set(keys.current, run_id)
    server.xadd(keys.items, {"kind": "run", "run": run_id, "item": json.dumps({"outlets": ["club1"], "since": 2})})
    for item in items:
        server.xadd(keys.items, encode_item(item, run_id))


def test_ingest_survives_a_crash_and_ignores_redelivery(redis_url: str, tmp_path: Path) -> None:
    from redis import Redis

    from crawler.distributed.keys import INGEST_GROUP

    server, keys, db = Redis.from_url(redis_url), Keys("ingesttest"), tmp_path / "a.duckdb"
    items = [extracted(), extracted("http://127.0.0.31:8081/calcio/1-a2-y"),
             Duplicate("club1", "http://127.0.0.31:8081/calcio/1-a1-x?utm_source=t", "id", "http://x", "url"),
             Reject("club1", "http://127.0.0.31:8081/calcio/1-g-z", "http_404", "HTTP 404", 404)]  # fmt: skip
    seed_messages(server, keys, "r1", items)
    # an ingest reads everything, then dies before writing: its messages stay pending
    server.xgroup_create(keys.items, INGEST_GROUP, id="0", mkstream=True)
    server.xreadgroup(INGEST_GROUP, "ingest-dead", {keys.items: ">"}, count=100)
    assert server.xpending(keys.items, INGEST_GROUP)["pending"] == 5
    ingest_run(redis_url, db, "ingesttest")  # takes them over (XAUTOCLAIM), writes, acknowledges
    assert server.xlen(keys.items) == 0 and server.xpending(keys.items, INGEST_GROUP)["pending"] == 0
    assert server.hget(keys.run("r1").config, "status") == b"finished"
    first = archive(db)
    assert first["counts"][:3] == (2, 1, 1) and first["rejects"][0][2] == 1
    # the same messages delivered again (a worker redid a request, or ingest died after committing)
    server.hset(keys.run("r1").config, "status", "running")
    for item in items:
        server.xadd(keys.items, encode_item(item, "r1"))
    ingest_run(redis_url, db, "ingesttest")
    again = archive(db)
    assert again["counts"] == first["counts"] and again["articles"] == first["articles"]
    assert again["rejects"] == first["rejects"]  # attempts still 1: a redelivery is not a second try


def test_partitioned_parquet_export(tmp_path: Path) -> None:
    from storage.partitioned_export import NULL_PARTITION, export_partitioned
    from storage.writer import ArchiveWriter
    from tests.test_storage import article

    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).write_batch([
        article("a1", "Uno.", outlet="gazzetta", published_at="2026-03-04T23:30:00+00:00"),  # 00:30 in Rome
        article("a2", "Due.", outlet="gazzetta", published_at="2026-03-04T10:00:00+00:00"),
        article("a3", "Tre.", outlet="cds", published_at=None),
    ])  # fmt: skip
    out = tmp_path / "lake"
    assert export_partitioned(db, out) == 3
    files = sorted(str(p.relative_to(out).parent) for p in out.rglob("*.parquet"))
    assert files == [f"outlet=cds/date={NULL_PARTITION}", "outlet=gazzetta/date=2026-03-04",
                     "outlet=gazzetta/date=2026-03-05"]  # fmt: skip
    rows = duckdb.sql(f"SELECT outlet, article_id FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true) "
                      "ORDER BY article_id").fetchall()  # fmt: skip
    assert rows == [("gazzetta", "a1"), ("gazzetta", "a2"), ("cds", "a3")]
    assert export_partitioned(db, out, outlets=["cds"]) == 1  # an earlier export is replaced whole
    assert [p.name for p in out.iterdir()] == ["outlet=cds"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="other files"):
        export_partitioned(db, tmp_path / "other")
