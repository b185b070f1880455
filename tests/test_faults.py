"""Faults: killed and interrupted crawls, readers during a crawl, two writers, a full disk, an outlet down.

Each test runs the real ``sportnews crawl`` in a subprocess against local outlets on 127.0.0.x
(``FixtureSites`` with a delay per answer, so a crawl lasts long enough to be interrupted), then
opens the archive and checks that nothing is partial, lost or doubled.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crawler.fixture_server import FixtureSites
from crawler.runlock import RunLock
from storage.connection import ArchiveError, connect, opened
from storage.writer import ArchiveWriter
from tests.ops_site import Outlet, write_site
from tests.reliability_site import FAST, ROOT, cli_env, outlet_toml, sportnews, sportnews_argv
from tests.test_storage import article

OUTLETS = [Outlet("alpha", articles=15, step_hours=0.5), Outlet("beta", articles=15, step_hours=0.5)]
ARTICLES = sum(o.articles for o in OUTLETS)
# Seconds each fixture answer waits: a crawl then lasts a few seconds, long enough to interrupt in
# the middle whatever the machine's speed, short enough to keep the file fast.
ANSWER_DELAY = 0.05
# Two requests at once of 0.25 s each: fetching 30 pages takes about 4 s, longer than extraction
# and storage lag behind it (about 1.5 s on a loaded 2-core machine), so a crawl stopped after its
# first batch still has pages to fetch.
SLOW_ANSWER_DELAY = 0.25
SLOW = ["-s", "CONCURRENT_REQUESTS=2"]
# Small batches written often, so an interruption always finds some written and some not; few
# requests in the downloader at once, so a graceful stop still leaves work for the next run.
BATCHES = ["-s", "SPORTNEWS_BATCH_SIZE=4", "-s", "SPORTNEWS_FLUSH_SECONDS=0.2", "-s", "SPORTNEWS_NEAR_DUP_BATCH=4",
           "-s", "CONCURRENT_REQUESTS=4"]  # fmt: skip


@pytest.fixture(scope="module")
def site_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("faults") / "site", OUTLETS)


@pytest.fixture
def sites(site_root: Path) -> Iterator[FixtureSites]:
    with FixtureSites(site_root, delay=ANSWER_DELAY, lifetime=120) as s:
        yield s


@pytest.fixture
def slow_sites(site_root: Path) -> Iterator[FixtureSites]:
    """Answers slow enough that an interrupted crawl leaves pages to fetch for the next, and that
    articles reach the archive a few at a time over seconds."""
    with FixtureSites(site_root, delay=SLOW_ANSWER_DELAY, lifetime=120) as s:
        yield s


def crawl_args(outlets: Path, db: Path, *extra: str) -> list[str]:
    return ["crawl", "--outlets", str(outlets), "--db", str(db), "--since", "30", *FAST, *BATCHES, *extra]


def start_crawl(outlets: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    """A crawl in its own process group, as a terminal or systemd would start it."""
    return subprocess.Popen(sportnews_argv(*crawl_args(outlets, db, *extra)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env(), cwd=ROOT,
                            start_new_session=True)  # fmt: skip


def article_hits(sites: FixtureSites) -> int:
    return sum(1 for h in sites.hits if h.path.startswith("/news/"))


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(step)


def check_archive(db: Path) -> dict[str, int]:
    """Open the archive for writing (replaying any WAL a killed writer left) and check that no
    article is partial or doubled; return the table counts."""
    with opened(db) as con:
        one = con.execute
        n = {t: one(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "pages", "rejects")}  # type: ignore[index]
        assert one("SELECT count(DISTINCT url), count(DISTINCT url_key) FROM articles").fetchone() == (
            n["articles"], n["articles"]), "an article stored twice"  # fmt: skip
        orphans = one("SELECT count(*) FROM articles a ANTI JOIN pages p USING (article_id)").fetchone()
        assert orphans == (0,), "an article without its page: a batch half written"
        assert n["pages"] == n["articles"]
        partial = one("SELECT count(*) FROM articles WHERE text = '' OR content_hash = '' OR title IS NULL "
                      "OR run_id IS NULL").fetchone()  # fmt: skip
        assert partial == (0,)
        assert one("SELECT count(*) FROM rejects").fetchone() == (0,), one("SELECT * FROM rejects").fetchall()
    return n


def stored_urls(db: Path) -> list[str]:
    with opened(db, read_only=True) as con:
        return [u for (u,) in con.execute("SELECT url FROM articles ORDER BY url").fetchall()]


def all_urls(sites: FixtureSites) -> list[str]:
    return sorted(sites.url(o.key, p) for o in OUTLETS for p in o.paths())


def run_statuses(db: Path) -> list[str]:
    with opened(db, read_only=True) as con:
        return [s for (s,) in con.execute("SELECT status FROM crawl_runs ORDER BY started_at").fetchall()]


def group_alive(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip() and "<defunct>" not in line]


# -- killed and interrupted crawls ---------------------------------------------------------------
def kill_while_writing(outlets: Path, db: Path) -> int:
    """SIGKILL a crawl in the middle of writing: once a batch of this run is in, at the next moment
    DuckDB's write-ahead log exists (a write is under way; each close checkpoints the log away).
    Returns the articles stored before the run."""
    before = check_archive(db)["articles"]
    wal = db.with_name(db.name + ".wal")
    crawl = start_crawl(outlets, db, *SLOW)

    def a_batch_in() -> bool:
        if crawl.poll() is not None:
            return True
        with contextlib.suppress(Exception), opened(db, read_only=True, lock_timeout=2) as con:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0] > before  # type: ignore[index]
        return False

    wait_for(a_batch_in, step=0.1)
    deadline = time.monotonic() + 30
    while crawl.poll() is None and time.monotonic() < deadline:
        if wal.exists():
            crawl.kill()
            break
        time.sleep(0.001)
    crawl.wait(timeout=10)
    assert crawl.returncode == -signal.SIGKILL, "the crawl ended before it could be killed mid-write"
    print(f"SIGKILL with the write-ahead log {'present' if wal.exists() else 'gone'}")
    wait_for(lambda: not group_alive(crawl.pid), timeout=5, step=0.2)  # the extraction workers follow it
    return before


def interrupt(sites: FixtureSites, outlets: Path, db: Path, signum: int, whole_group: bool) -> int:
    """Stop a crawl with a signal once it fetched a few pages; check it stored all it extracted."""
    before = check_archive(db)["articles"]
    first_hit = article_hits(sites)
    crawl = start_crawl(outlets, db, *SLOW, "--log-level", "INFO")
    wait_for(lambda: article_hits(sites) > first_hit)
    if whole_group:  # Ctrl-C at a terminal, systemctl stop: the extraction workers get it too
        os.killpg(crawl.pid, signum)
    else:
        crawl.send_signal(signum)
    out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 0, err[-3000:]
    assert "Traceback" not in out + err and "extraction worker died" not in err, err[-3000:]
    assert "crawl ended early: shutdown" in out
    extracted = re.search(r"'sportnews/extract/ok': (\d+)", err)
    stored = check_archive(db)["articles"] - before
    assert stored == (int(extracted.group(1)) if extracted else 0), "an extracted article was not flushed"
    print(f"{signal.Signals(signum).name}: {stored} articles extracted and stored before the stop")
    return stored


def test_killed_and_interrupted_crawls_lose_nothing_and_the_next_run_completes(
    slow_sites: FixtureSites, tmp_path: Path
) -> None:
    sites = slow_sites
    outlets = sites.write_outlets_toml(tmp_path / "outlets.toml")
    db = tmp_path / "archive.duckdb"

    # interrupted first, while most pages are still to fetch: each stops after its first page
    interrupt(sites, outlets, db, signal.SIGINT, whole_group=True)
    interrupt(sites, outlets, db, signal.SIGTERM, whole_group=False)
    assert run_statuses(db) == ["interrupted", "interrupted"]

    before = kill_while_writing(outlets, db)
    killed = check_archive(db)["articles"]  # opens, replays the log, and nothing is partial
    assert before < killed <= ARTICLES
    assert run_statuses(db) == ["interrupted", "interrupted", "running"]  # it could not record its end

    res = sportnews(*crawl_args(outlets, db))
    assert res.returncode == 0, res.stdout + res.stderr
    assert check_archive(db)["articles"] == ARTICLES
    assert stored_urls(db) == all_urls(sites)  # none lost, none twice
    assert run_statuses(db)[-1] == "finished"


# -- readers and a second writer during a crawl ----------------------------------------------------
READER = """
import contextlib, io, json, os, sys, time
from crawler.cli import main
db, n = sys.argv[1], int(sys.argv[2])
while not os.path.exists(db):
    time.sleep(0.01)
out = []
for _ in range(n):
    buf = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(buf):
        code = main(["query", "SELECT count(*) AS n FROM articles", "--db", db, "--format", "json",
                     "--lock-timeout", "20"])
    out.append({"code": code, "wait": time.monotonic() - started,
                "n": json.loads(buf.getvalue())[0]["n"] if code == 0 else None})
    time.sleep(0.02)
print(json.dumps(out))
"""


def test_queries_and_a_second_crawl_during_a_crawl(slow_sites: FixtureSites, tmp_path: Path) -> None:
    # slow answers: articles trickle in over seconds, so the archive changes while it is queried
    outlets = slow_sites.write_outlets_toml(tmp_path / "outlets.toml")
    db = tmp_path / "archive.duckdb"
    # 100 `sportnews query` calls in another process, started first so they span the whole crawl
    readers = subprocess.Popen([sys.executable, "-c", READER, str(db), "100"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=cli_env(), cwd=ROOT)  # fmt: skip
    first = start_crawl(outlets, db, *SLOW)
    wait_for(lambda: RunLock(db).is_busy())
    second = sportnews(*crawl_args(outlets, db))
    _, err = first.communicate(timeout=120)
    read_out, read_err = readers.communicate(timeout=120)
    assert first.returncode == 0, err

    # the second crawl: refused at once, naming the file and the crawl that holds it
    assert second.returncode == 3
    message = " ".join((second.stdout + second.stderr).split())  # rich wraps long lines
    assert str(db) in message and f"pid {first.pid}" in message, message
    assert "Traceback" not in message
    assert run_statuses(db) == ["finished"]  # it wrote nothing, not even a run

    # the readers: every query answered, none saw a half-written batch
    assert readers.returncode == 0, read_err
    results = json.loads(read_out)
    counts = [r["n"] for r in results]
    waits = sorted(r["wait"] for r in results)
    print(f"100 queries during the crawl: longest {waits[-1]:.3f}s, median {waits[50]:.3f}s; "
          f"article counts seen {sorted(set(counts))}")  # fmt: skip
    assert [r["code"] for r in results] == [0] * 100
    assert counts == sorted(counts), "a reader saw the archive shrink"
    assert any(0 < c < ARTICLES for c in counts), "the queries did not overlap the crawl's writes"
    assert check_archive(db)["articles"] == ARTICLES


def test_another_process_holding_the_file_is_named(tmp_path: Path) -> None:
    db = tmp_path / "archive.duckdb"
    ArchiveWriter(db).write_batch([article("a1")])
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        (tmp_path / "o.toml").write_text(
            outlet_toml("alpha", ["127.0.0.1:9"], "/news/", feeds=["http://127.0.0.1:9/rss.xml"])
        )
        res = sportnews("crawl", "--outlets", str(tmp_path / "o.toml"), "--db", str(db), "-s",
                        "SPORTNEWS_LOCK_TIMEOUT=1")  # fmt: skip
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    message = " ".join(res.stderr.split())
    assert res.returncode == 3, res.stdout + res.stderr
    assert str(db) in message and f"process {holder.pid}" in message, message
    assert "Traceback" not in res.stdout + res.stderr
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM crawl_runs").fetchone() == (0,)


# -- disk full, unwritable path ----------------------------------------------------------------
FULL_WRITER = """
import base64, os, resource, signal, sys
from storage.connection import ArchiveError
from storage.writer import ArchiveWriter
from tests.test_storage import article
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then writes past the limit fail with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
rows = [article(f"big{i}", text=f"testo {i}", raw_html=base64.b64encode(os.urandom(400_000))) for i in range(8)]
try:
    ArchiveWriter(sys.argv[1], lock_timeout=2).write_batch(rows)
except ArchiveError as exc:
    print(exc)
    sys.exit(3)
"""


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with opened(db, read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in ("articles", "pages", "rejects")}


def small_archive(db: Path) -> dict[str, list[tuple[object, ...]]]:
    ArchiveWriter(db).write_batch([article(f"a{i}", text=f"testo {i}") for i in range(5)])
    return snapshot(db)


def test_a_batch_past_the_file_size_limit_fails_clearly_and_keeps_the_archive(tmp_path: Path) -> None:
    db = tmp_path / "archive.duckdb"
    before = small_archive(db)
    res = subprocess.run([sys.executable, "-c", FULL_WRITER, str(db), str(db.stat().st_size + 100_000)],
                         capture_output=True, text=True, env=cli_env(), cwd=ROOT, timeout=60)  # fmt: skip
    assert res.returncode == 3, res.stdout + res.stderr
    assert "nothing of it was kept" in res.stdout and "File too large" in res.stdout, res.stdout
    assert "cannot rollback" not in res.stdout
    assert snapshot(db) == before


@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True).returncode == 0  # fmt: skip
    if not mounted:
        pytest.skip("cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): the file size limit test covers it")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_full_disk_fails_clearly_and_keeps_the_archive(tmp_path: Path) -> None:
    with tiny_tmpfs(tmp_path / "disk", "3m") as disk:
        db = disk / "archive.duckdb"
        before = small_archive(db)
        with pytest.raises(ArchiveError, match=r"nothing of it was kept.*No space left on device"):
            ArchiveWriter(db, lock_timeout=2).write_batch(
                [article(f"big{i}", text=f"testo {i}", raw_html=os.urandom(400_000).hex().encode()) for i in range(8)]
            )
        assert snapshot(db) == before
        con = connect(db)  # and it still takes a batch that fits
        con.close()
        ArchiveWriter(db).write_batch([article("small", text="testo piccolo")])
        assert len(snapshot(db)["articles"]) == len(before["articles"]) + 1


def test_a_crawl_that_cannot_write_stops_with_a_clear_error(sites: FixtureSites, tmp_path: Path) -> None:
    outlets = sites.write_outlets_toml(tmp_path / "outlets.toml")
    db = tmp_path / "archive.duckdb"
    before = small_archive(db)

    def no_room() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        # No file may grow past 8 KB: the run's start fits, a batch of articles soon does not.
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    res = subprocess.run(sportnews_argv(*crawl_args(outlets, db)), capture_output=True, text=True, env=cli_env(),
                         cwd=ROOT, timeout=120, preexec_fn=no_room)  # fmt: skip
    message = " ".join(res.stderr.split())
    assert res.returncode == 3, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert "crawl ended early: archive_error" in res.stdout
    assert f"writing a batch to {db} failed, nothing of it was kept" in message and "File too large" in message
    after = snapshot(db)
    assert all(row in after[t] for t in ("articles", "pages") for row in before[t]), "an earlier row changed"
    stored = check_archive(db)["articles"] - len(before["articles"])
    print(f"{stored} of {ARTICLES} articles stored before the archive refused a batch")
    assert stored < ARTICLES


@pytest.mark.parametrize("layout", ["db is a folder", "folder is a file"])
def test_an_unwritable_path_is_a_clear_error(tmp_path: Path, layout: str) -> None:
    if layout == "db is a folder":
        db = tmp_path / "archive.duckdb"
        db.mkdir()
    else:
        (tmp_path / "data").write_text("not a folder")
        db = tmp_path / "data" / "archive.duckdb"
    (tmp_path / "o.toml").write_text(
        outlet_toml("alpha", ["127.0.0.1:9"], "/news/", feeds=["http://127.0.0.1:9/rss.xml"])
    )
    res = sportnews("crawl", "--outlets", str(tmp_path / "o.toml"), "--db", str(db))
    assert res.returncode == 3
    assert str(db) in " ".join(res.stderr.split()) and "Traceback" not in res.stderr, res.stderr


# -- an outlet down for the whole run ----------------------------------------------------------
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_outlet_down_does_not_hold_up_the_others(tmp_path: Path) -> None:
    timeout = 1.5
    root = write_site(tmp_path / "site", [Outlet("alpha", articles=4), Outlet("beta", articles=4)])
    # Accepts connections (the kernel's backlog does) and never answers: the worst kind of down.
    with FixtureSites(root, lifetime=60) as sites, socket.socket() as hang:
        hang.bind(("127.0.0.2", 0))
        hang.listen(64)
        silent = f"127.0.0.2:{hang.getsockname()[1]}"
        refused = f"127.0.0.3:{closed_port()}"
        outlets = sites.write_outlets_toml(tmp_path / "outlets.toml")
        with outlets.open("a") as f:
            f.write(outlet_toml("muta", [silent], "/news/", feeds=[f"http://{silent}/rss.xml"]))
            f.write(outlet_toml("spenta", [refused], "/news/", feeds=[f"http://{refused}/rss.xml"]))
        db = tmp_path / "archive.duckdb"
        # no robots.txt round first: the feed request alone shows the waits
        fast_failures = ["-s", f"DOWNLOAD_TIMEOUT={timeout}", "-s", "RETRY_TIMES=1", "-s",
                         "SPORTNEWS_RETRY_BACKOFF_BASE=0.2", "-s", "ROBOTSTXT_OBEY=False"]  # fmt: skip
        res = sportnews(*crawl_args(outlets, db, *fast_failures))
    assert res.returncode == 0, res.stderr
    assert "2 of 4 outlets unreachable" in res.stdout
    with opened(db, read_only=True) as con:
        runs = {o: (status, message, duration) for o, status, message, duration in con.execute(
            "SELECT outlet, status, message, duration_s FROM crawl_run_outlets").fetchall()}  # fmt: skip
        (run_errors, run_duration), stored = con.execute("SELECT errors, duration_s FROM crawl_runs").fetchall()[0], \
            con.execute("SELECT count(*) FROM articles").fetchone()  # fmt: skip
    print(f"run took {run_duration:.2f}s; healthy outlets done after "
          f"{runs['alpha'][2]:.2f}s and {runs['beta'][2]:.2f}s; DOWNLOAD_TIMEOUT {timeout}s")  # fmt: skip
    assert runs["muta"][:1] == ("unreachable",) and "timed out" in runs["muta"][1]
    assert runs["spenta"][:1] == ("unreachable",) and "connection refused" in runs["spenta"][1]
    assert run_errors == 2 and stored == (8,)
    for key in ("alpha", "beta"):
        # done before the silent outlet's first attempt even timed out
        assert runs[key][0] == "ok" and runs[key][2] < timeout, runs[key]
    # two attempts of the silent outlet's feed and the backoff between them; the rest is the run's start and
    # end (extraction pool, final batch), slow on a loaded machine
    assert run_duration < 2 * timeout + 0.2 + 5.0
