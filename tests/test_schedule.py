"""Scheduled crawls: runs on a timetable against local outlets, never two at once on one archive."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.commands.schedule import Group, Runner, ScheduleConfigError, crawl_command, load_config
from crawler.fixture_server import FixtureSites
from crawler.runlock import RunLock, RunLockBusy, lock_path
from storage.connection import opened
from tests.ops_site import Outlet, write_site

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "SPORTNEWS_EXTRACT_WORKERS=1"]
# Each answer waits this long, so one crawl of the tiny site lasts well over the 1 s interval
# below whatever the machine's speed: the second trigger always meets a running crawl.
SLOW_ANSWER = 0.25


@pytest.fixture
def outlets_file(tmp_path: Path) -> Iterator[Path]:
    root = write_site(tmp_path / "site", [Outlet("alpha", articles=3), Outlet("beta", articles=2)])
    with FixtureSites(root, delay=SLOW_ANSWER, lifetime=600) as sites:
        yield sites.write_outlets_toml(tmp_path / "outlets.toml")


def sportnews(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "COLUMNS": "200"})  # fmt: skip


def write_config(tmp_path: Path, outlets: Path, body: str) -> Path:
    path = tmp_path / "schedule.toml"
    fast = ", ".join(f'"{a}"' for a in FAST)
    path.write_text(f'db = "archive.duckdb"\n{body.replace("OUTLETS", str(outlets)).replace("FAST", fast)}')
    return path


def test_three_scheduled_crawls_with_an_overlapping_one_skipped(tmp_path: Path, outlets_file: Path) -> None:
    config = write_config(tmp_path, outlets_file, """
[[group]]
name = "locali"
every = "1s"
start_now = true
outlets_file = "OUTLETS"
since = 30
args = [FAST]
""")  # fmt: skip
    res = sportnews("schedule", "--config", str(config), "--max-runs", "3", timeout=300)
    log = res.stderr
    print(log)
    assert res.returncode == 0, log
    assert log.count("locali: run finished") == 3
    skips = re.findall(r"locali: skipped: previous run still holds (\S+)", log)
    assert skips, "no trigger met a running crawl"
    assert all(s == str(lock_path(tmp_path / "archive.duckdb")) for s in skips)
    # A trigger that fires while the scheduler shuts down after the third run is skipped as
    # "scheduler stopping": the closing count includes it, whichever way that race goes.
    every_skip = re.findall(r"locali: skipped: (.*)", log)
    assert set(every_skip) - {f"previous run still holds {skips[0]} (this scheduler's)"} <= {"scheduler stopping"}
    assert re.search(rf"scheduler stopped: 3 finished, 0 failed, {len(every_skip)} skipped", log)

    with opened(tmp_path / "archive.duckdb", read_only=True) as con:
        runs = con.execute(
            "SELECT started_at, finished_at, status, stored FROM crawl_runs ORDER BY started_at"
        ).fetchall()
    assert [(r[2], r[3]) for r in runs] == [("finished", 5), ("finished", 0), ("finished", 0)]
    for earlier, later in itertools.pairwise(runs):
        assert earlier[1] <= later[0], "two runs overlapped"


def test_a_run_skips_or_waits_while_another_process_holds_the_archive(tmp_path: Path, outlets_file: Path) -> None:
    db = tmp_path / "archive.duckdb"
    base = {"every": 60.0, "cron": None, "outlets_file": str(outlets_file), "since": 30.0, "args": tuple(FAST),
            "db": str(db)}  # fmt: skip
    runner = Runner()
    held = RunLock(db).acquire()  # a crawl started by cron or by hand
    try:
        skipped = runner.run_group(Group(name="salta", on_overlap="skip", **base))  # type: ignore[arg-type]
        assert skipped.status == "skipped"
        assert skipped.message.startswith(f"previous run still holds {lock_path(db)} (pid {os.getpid()} since ")

        waiting = Group(name="aspetta", on_overlap="wait", max_wait=30.0, **base)  # type: ignore[arg-type]
        done: list[object] = []
        t = threading.Thread(target=lambda: done.append(runner.run_group(waiting)))
        t.start()
        time.sleep(1.0)
        assert not done, "a waiting run started while the archive was held"
    finally:
        held.release()
    t.join(timeout=300)
    assert [o.status for o in runner.outcomes] == ["skipped", "finished"]


def test_crawl_itself_takes_the_lock_so_cron_runs_are_covered(tmp_path: Path) -> None:
    db = tmp_path / "archive.duckdb"
    with RunLock(db):
        res = sportnews("crawl", "--db", str(db), "--outlet", "gazzetta")
        assert res.returncode == 3
        assert f"skipped: previous run still holds {lock_path(db)}" in " ".join(res.stderr.split())
        with pytest.raises(RunLockBusy):
            RunLock(db).acquire(wait=0.2)
        assert RunLock(db).is_busy()
    assert not RunLock(db).is_busy()


def test_config_mistakes_name_the_group_and_field(tmp_path: Path) -> None:
    def error(body: str) -> str:
        (tmp_path / "s.toml").write_text(body)
        with pytest.raises(ScheduleConfigError) as exc:
            load_config(tmp_path / "s.toml")
        return str(exc.value)

    assert "unknown field(s) ['evry']" in error('[[group]]\nname = "a"\nevry = "1m"\n')
    assert "group 'a': give exactly one of every" in error('[[group]]\nname = "a"\nevery = "1m"\ncron = "* * * * *"\n')
    assert "group 'a': cron '61 * * * *'" in error('[[group]]\nname = "a"\ncron = "61 * * * *"\n')
    assert "group 'a': every: not a duration: '15 minuti'" in error('[[group]]\nname = "a"\nevery = "15 minuti"\n')
    assert "on_overlap must be one of skip, wait" in error('[[group]]\nname = "a"\nevery = 60\non_overlap = "x"\n')
    assert "no [[group]] tables" in error('db = "x.duckdb"\n')


def test_config_paths_and_commands(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        'db = "data/a.duckdb"\nmax_wait = "10m"\n'
        '[[group]]\nname = "veloci"\noutlets = ["gazzetta", "cds"]\nevery = "15m"\nsince = 1\nmax_articles = 200\n'
        '[[group]]\nname = "resto"\ncron = "5 * * * *"\non_overlap = "wait"\nargs = ["-s", "DOWNLOAD_DELAY=1"]\n'
    )
    config = load_config(tmp_path / "s.toml")
    fast, rest = config.groups
    assert (fast.every, fast.cron, rest.every, rest.cron, rest.max_wait) == (900.0, None, None, "5 * * * *", 600.0)
    assert fast.db == str(tmp_path / "data" / "a.duckdb")  # relative to the schedule file
    assert crawl_command(fast, python="py") == [
        "py",
        "-m",
        "crawler.cli",
        "crawl",
        "--db",
        fast.db,
        "--outlet",
        "gazzetta",
        "--outlet",
        "cds",
        "--since",
        "1",
        "--max-articles",
        "200",
    ]
    assert crawl_command(rest, 600, python="py")[-4:] == ["--lock-wait", "600", "-s", "DOWNLOAD_DELAY=1"]
    check = sportnews("schedule", "--config", str(tmp_path / "s.toml"), "--check")
    assert check.returncode == 0, check.stderr
    assert re.search(r"resto: cron '5 \* \* \* \*', on overlap wait; next: \S+ \S+:05:00", check.stdout)
