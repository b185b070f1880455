"""``sportnews schedule``: crawls on a timetable from a TOML file, never two at once on one archive."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.commands.common import format_duration, parse_duration
from crawler.runlock import RunLock

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
CRAWL_EXIT_LOCKED = 3
"""`sportnews crawl` exits 3 when the archive is locked: for a scheduled run, "skipped"."""

OVERLAP_POLICIES = ("skip", "wait")
TOP_FIELDS = ("db", "timezone", "on_overlap", "max_wait", "group")
GROUP_FIELDS = ("name", "every", "cron", "outlets", "outlets_file", "since", "max_articles", "args", "db",
                "on_overlap", "max_wait", "start_now")  # fmt: skip
DEFAULT_MAX_WAIT = 3600.0
"""With ``on_overlap = "wait"``, a run gives up after an hour: by then the next one is due anyway
for every timetable we expect (15 minutes to hourly), and waiting threads must not pile up."""
MAX_INSTANCES = 3
"""Triggers of one group that may be in flight at once. Above 1 so an overlapping trigger reaches
our own code and is logged as skipped (or waits) instead of APScheduler's terse warning; 3 bounds
the waiting threads of a ``wait`` group whose crawls keep running long."""
MISFIRE_GRACE = 300
"""Seconds a trigger may be late (machine suspended, scheduler busy) and still run; later ones
are dropped, and ``coalesce`` folds a backlog of missed runs into one."""
CHILD_COLUMNS = "160"
"""Terminal width the crawl's summary table is drawn for when logged (no terminal to ask)."""


class ScheduleConfigError(ValueError):
    """The schedule file is missing, not TOML, or has a wrong field (the message names it)."""


@dataclass(frozen=True)
class Group:
    """Outlets crawled together on one timetable."""

    name: str
    every: float | None
    """Interval in seconds, or None for a cron group."""
    cron: str | None
    """Five-field crontab expression, read in the schedule's time zone."""
    outlets: tuple[str, ...] = ()
    """Outlet keys; empty means every outlet (of ``outlets_file`` when given)."""
    outlets_file: str | None = None
    since: float | None = None
    max_articles: int | None = None
    args: tuple[str, ...] = ()
    """More `sportnews crawl` arguments, e.g. ``["-s", "DOWNLOAD_DELAY=1"]``."""
    db: str = "data/sportnews.duckdb"
    on_overlap: str = "skip"
    max_wait: float = DEFAULT_MAX_WAIT
    start_now: bool = False
    """Run once as soon as the scheduler starts, then on the timetable."""

    def trigger_text(self) -> str:
        return f"every {format_duration(self.every)}" if self.every is not None else f"cron '{self.cron}'"


@dataclass(frozen=True)
class ScheduleConfig:
    path: Path
    timezone: str
    groups: tuple[Group, ...]


def _expect(value: Any, types: type | tuple[type, ...], where: str, what: str) -> Any:
    allowed = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
        raise ScheduleConfigError(f"{where}: {what}, not {value!r}")
    return value


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ScheduleConfigError(f'{where}: a duration such as "15m" or a number of seconds, not {value!r}')
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ScheduleConfigError(f"{where}: {exc}") from None
    if seconds <= 0:
        raise ScheduleConfigError(f"{where}: must be more than 0 seconds")
    return seconds


def load_config(path: str | Path, default_db: str = "data/sportnews.duckdb") -> ScheduleConfig:
    """Read and check a schedule file; every mistake names the file, the group and the field.

    Relative ``db`` and ``outlets_file`` paths are taken from the schedule file's folder, so the
    same file works whatever folder cron or systemd start the scheduler in.
    """
    from apscheduler.triggers.cron import CronTrigger

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ScheduleConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleConfigError(f"{path}: not valid TOML: {exc}") from None
    here = path.resolve().parent

    def rel(p: str) -> str:
        return str(p if Path(p).is_absolute() else here / p)

    unknown = set(data) - set(TOP_FIELDS)
    if unknown:
        raise ScheduleConfigError(f"{path}: unknown field(s) {sorted(unknown)}; known: {', '.join(TOP_FIELDS)}")
    tz = _expect(data.get("timezone", "Europe/Rome"), str, str(path), "timezone must be a name like Europe/Rome")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception:
        raise ScheduleConfigError(f"{path}: unknown timezone {tz!r}") from None
    top_db = rel(_expect(data["db"], str, str(path), "db must be a path")) if "db" in data else default_db
    top_overlap = data.get("on_overlap", "skip")
    top_wait = _seconds(data["max_wait"], f"{path}: max_wait") if "max_wait" in data else DEFAULT_MAX_WAIT
    raw_groups = data.get("group")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise ScheduleConfigError(f"{path}: no [[group]] tables: nothing to schedule")
    groups: list[Group] = []
    names: set[str] = set()
    for i, g in enumerate(raw_groups, 1):
        where = f"{path}: group {g.get('name', i)!r}" if isinstance(g, dict) else f"{path}: group {i}"
        if not isinstance(g, dict):
            raise ScheduleConfigError(f"{where}: must be a [[group]] table")
        unknown = set(g) - set(GROUP_FIELDS)
        if unknown:
            raise ScheduleConfigError(f"{where}: unknown field(s) {sorted(unknown)}; known: {', '.join(GROUP_FIELDS)}")
        name = _expect(g.get("name"), str, where, "name is required and must be a string")
        if name in names:
            raise ScheduleConfigError(f"{where}: a second group named {name!r}")
        names.add(name)
        if ("every" in g) == ("cron" in g):
            raise ScheduleConfigError(f"{where}: give exactly one of every (an interval) or cron (an expression)")
        every = _seconds(g["every"], f"{where}: every") if "every" in g else None
        cron = _expect(g["cron"], str, where, "cron must be a crontab expression string") if "cron" in g else None
        if cron is not None:
            try:
                CronTrigger.from_crontab(cron, timezone=tz)
            except ValueError as exc:
                raise ScheduleConfigError(f"{where}: cron {cron!r}: {exc}") from None
        outlets = g.get("outlets", [])
        if outlets == "*":
            outlets = []
        if not isinstance(outlets, list) or not all(isinstance(o, str) for o in outlets):
            raise ScheduleConfigError(f'{where}: outlets must be a list of outlet keys (or "*")')
        args = g.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise ScheduleConfigError(f"{where}: args must be a list of strings")
        overlap = g.get("on_overlap", top_overlap)
        if overlap not in OVERLAP_POLICIES:
            raise ScheduleConfigError(f"{where}: on_overlap must be one of {', '.join(OVERLAP_POLICIES)}")
        since = g.get("since")
        if since is not None:
            since = float(_expect(since, (int, float), where, "since must be a number of days"))
        max_articles = g.get("max_articles")
        if max_articles is not None:
            max_articles = _expect(max_articles, int, where, "max_articles must be an integer")
        outlets_file = g.get("outlets_file")
        if outlets_file is not None:
            outlets_file = rel(_expect(outlets_file, str, where, "outlets_file must be a path"))
        groups.append(Group(
            name=name, every=every, cron=cron, outlets=tuple(outlets), outlets_file=outlets_file, since=since,
            max_articles=max_articles, args=tuple(args),
            db=rel(_expect(g["db"], str, where, "db must be a path")) if "db" in g else top_db,
            on_overlap=overlap,
            max_wait=_seconds(g["max_wait"], f"{where}: max_wait") if "max_wait" in g else top_wait,
            start_now=bool(_expect(g.get("start_now", False), bool, where, "start_now must be true or false")),
        ))  # fmt: skip
    return ScheduleConfig(path, tz, tuple(groups))


def crawl_command(group: Group, lock_wait: float = 0.0, python: str = sys.executable) -> list[str]:
    """The `sportnews crawl` command line of one run, as a fresh process (a fresh Twisted reactor:
    Scrapy's reactor cannot be restarted inside one process)."""
    cmd = [python, "-m", "crawler.cli", "crawl", "--db", group.db]
    for key in group.outlets:
        cmd += ["--outlet", key]
    if group.outlets_file:
        cmd += ["--outlets", group.outlets_file]
    if group.since is not None:
        cmd += ["--since", f"{group.since:g}"]
    if group.max_articles is not None:
        cmd += ["--max-articles", str(group.max_articles)]
    if lock_wait > 0:
        cmd += ["--lock-wait", f"{lock_wait:.0f}"]
    return cmd + list(group.args)


@dataclass
class RunOutcome:
    """What became of one trigger of a group."""

    group: str
    status: str
    """finished, failed or skipped."""
    started: datetime
    seconds: float = 0.0
    exit_code: int | None = None
    message: str = ""


@dataclass
class Runner:
    """Runs the crawls of triggered groups, one archive at a time, and logs each outcome.

    Overlap is checked three times, from the cheapest to the one that decides: this scheduler's
    own running crawls per archive (a thread lock), the archive's run lock held by anyone else (a
    crawl from cron or a terminal), and finally `sportnews crawl` itself, which takes the run lock
    and exits 3 when it cannot.
    """

    python: str = sys.executable
    max_runs: int | None = None
    """Stop the scheduler after this many crawls ran (skipped triggers do not count)."""
    on_limit: Callable[[], None] | None = None
    outcomes: list[RunOutcome] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _db_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _children: dict[int, subprocess.Popen[str]] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def db_lock(self, db: str) -> threading.Lock:
        with self._guard:
            return self._db_locks.setdefault(str(Path(db).resolve()), threading.Lock())

    def _record(self, outcome: RunOutcome) -> RunOutcome:
        with self._guard:
            self.outcomes.append(outcome)
            ran = sum(1 for o in self.outcomes if o.status != "skipped")
        if self.max_runs is not None and ran >= self.max_runs and outcome.status != "skipped":
            logger.info("%d crawls ran: stopping as asked (--max-runs)", ran)
            self.stop()
        return outcome

    def skipped(self, group: Group, started: datetime, why: str) -> RunOutcome:
        logger.warning("%s: skipped: %s", group.name, why)
        return self._record(RunOutcome(group.name, "skipped", started, message=why))

    def run_group(self, group: Group) -> RunOutcome:
        """One trigger: skip or wait when the archive is busy, else run `sportnews crawl` to its end."""
        started = datetime.now().astimezone()
        if self.stopping.is_set():
            return self.skipped(group, started, "scheduler stopping")
        run_lock = RunLock(group.db)
        ours = self.db_lock(group.db)
        waited_from = time.monotonic()
        if group.on_overlap == "skip":
            if not ours.acquire(blocking=False):
                return self.skipped(group, started, f"previous run still holds {run_lock.path} (this scheduler's)")
        elif not ours.acquire(timeout=group.max_wait):
            return self.skipped(group, started, f"previous run still holds {run_lock.path} after waiting "
                                f"{format_duration(group.max_wait)}")  # fmt: skip
        try:
            if self.stopping.is_set():
                return self.skipped(group, started, "scheduler stopping")
            lock_wait = 0.0
            if group.on_overlap == "wait":
                lock_wait = max(group.max_wait - (time.monotonic() - waited_from), 1.0)
            elif run_lock.is_busy():
                holder = run_lock.holder()
                return self.skipped(group, started, f"previous run still holds {run_lock.path}"
                                    + (f" ({holder})" if holder else ""))  # fmt: skip
            return self._crawl(group, started, lock_wait)
        finally:
            ours.release()

    def _crawl(self, group: Group, started: datetime, lock_wait: float) -> RunOutcome:
        cmd = crawl_command(group, lock_wait, self.python)
        logger.info("%s: run started: %s", group.name, " ".join(cmd[1:]))
        t0 = time.monotonic()
        env = {**os.environ, "COLUMNS": CHILD_COLUMNS}
        # Own session: a Ctrl-C or a service stop reaches the crawl once, from us (see stop()), and
        # Scrapy closes it gracefully; a second signal would make it stop without its last batch.
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                start_new_session=True)  # fmt: skip
        with self._guard:
            self._children[proc.pid] = proc
        lines: list[str] = []
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                line = line.rstrip()
                if line.strip():
                    lines.append(line)
                    logger.info("%s: | %s", group.name, line)
            code = proc.wait()
        finally:
            with self._guard:
                self._children.pop(proc.pid, None)
        seconds = time.monotonic() - t0
        text = "\n".join(lines)
        if code == CRAWL_EXIT_LOCKED and "skipped:" in text:
            why = text.split("skipped:", 1)[1].strip().splitlines()[0]
            return self.skipped(group, started, why)
        if code == 0:
            logger.info("%s: run finished in %.1fs", group.name, seconds)
            return self._record(RunOutcome(group.name, "finished", started, seconds, code))
        logger.error("%s: run failed with exit code %s after %.1fs", group.name, code, seconds)
        return self._record(RunOutcome(group.name, "failed", started, seconds, code, lines[-1] if lines else ""))

    def stop(self, signum: int | None = None) -> None:
        """No new runs; running crawls get one SIGINT each (Scrapy's graceful close) and finish."""
        self.stopping.set()
        with self._guard:
            children = list(self._children.values())
        if signum is not None:
            for proc in children:
                if proc.poll() is None:
                    logger.info("asking crawl %s to stop", proc.pid)
                    proc.send_signal(signal.SIGINT)
        if self.on_limit is not None:
            self.on_limit()

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until no crawl of ours is running (they finish their last batch before the scheduler exits)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._guard:
                busy = any(p.poll() is None for p in self._children.values())
            if not busy or (deadline is not None and time.monotonic() >= deadline):
                return
            time.sleep(0.2)


def build_scheduler(config: ScheduleConfig, runner: Runner) -> Any:
    """An APScheduler BlockingScheduler with one job per group, each run in a pool thread."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    workers = max(2, len(config.groups) * MAX_INSTANCES)
    scheduler = BlockingScheduler(timezone=config.timezone, executors={"default": ThreadPoolExecutor(workers)})
    for group in config.groups:
        if group.every is not None:
            trigger: Any = IntervalTrigger(seconds=group.every, timezone=config.timezone)
        else:
            trigger = CronTrigger.from_crontab(str(group.cron), timezone=config.timezone)
        options: dict[str, Any] = {}
        if group.start_now:
            options["next_run_time"] = datetime.now().astimezone()
        scheduler.add_job(runner.run_group, trigger, args=[group], id=group.name, name=group.name,
                          max_instances=MAX_INSTANCES, coalesce=True, misfire_grace_time=MISFIRE_GRACE,
                          **options)  # fmt: skip
    return scheduler


def next_fire_times(config: ScheduleConfig, count: int = 3) -> dict[str, list[datetime]]:
    """The next ``count`` run times of every group, for ``--check``."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    out: dict[str, list[datetime]] = {}
    now = datetime.now().astimezone()
    for g in config.groups:
        trigger: Any = (IntervalTrigger(seconds=g.every, timezone=config.timezone) if g.every is not None
                        else CronTrigger.from_crontab(str(g.cron), timezone=config.timezone))  # fmt: skip
        times: list[datetime] = []
        previous = None
        for _ in range(count):
            nxt = trigger.get_next_fire_time(previous, previous or now)
            if nxt is None:
                break
            times.append(nxt)
            previous = nxt
        out[g.name] = times
    return out


def setup_logging(log_file: str | None, level: str) -> None:
    handler: logging.Handler = logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # its per-job chatter repeats ours


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler import settings as defaults

    try:
        config = load_config(args.config, defaults.SPORTNEWS_DB)
    except ScheduleConfigError as exc:
        print(f"sportnews: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        for name, times in next_fire_times(config).items():
            group = next(g for g in config.groups if g.name == name)
            print(f"{name}: {group.trigger_text()}, on overlap {group.on_overlap}; next: "
                  + ", ".join(t.strftime("%Y-%m-%d %H:%M:%S %Z") for t in times))  # fmt: skip
            print(f"  {' '.join(crawl_command(group)[1:])}")
        return EXIT_OK
    setup_logging(args.log_file, args.log_level)
    runner = Runner(max_runs=args.max_runs)
    scheduler = build_scheduler(config, runner)
    runner.on_limit = lambda: scheduler.shutdown(wait=False) if scheduler.running else None

    def on_signal(signum: int, frame: Any) -> None:
        logger.info("signal %s: no new runs; waiting for running crawls to finish", signum)
        runner.stop(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for g in config.groups:
        logger.info("%s: %s, outlets %s, archive %s, on overlap %s", g.name, g.trigger_text(),
                    ", ".join(g.outlets) or "all", g.db, g.on_overlap)  # fmt: skip
    scheduler.start()  # returns after shutdown (--max-runs reached, SIGTERM, Ctrl-C)
    runner.wait_idle()
    counts = {s: sum(1 for o in runner.outcomes if o.status == s) for s in ("finished", "failed", "skipped")}
    logger.info("scheduler stopped: %d finished, %d failed, %d skipped",
                counts["finished"], counts["failed"], counts["skipped"])  # fmt: skip
    return EXIT_OK


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "schedule",
        help="run crawls on a timetable (TOML file), never two at once on one archive",
        description="Run `sportnews crawl` for groups of outlets on intervals or cron expressions "
        "(see README.md, Scheduling). Each run is a fresh process; a run that would overlap "
        "another on the same archive is skipped or waits, as the file says, and is logged.",
    )
    s.add_argument("--config", required=True, metavar="FILE", help="schedule file (TOML)")
    s.add_argument("--check", action="store_true", help="check the file, print the next runs and exit")
    s.add_argument("--max-runs", type=int, metavar="N", help="stop after N crawls ran (skipped ones do not count)")
    s.add_argument("--log-file", help="log here instead of stderr")
    s.add_argument("--log-level", default="INFO", help="INFO (default) logs every run; WARNING only skips and failures")
    s.set_defaults(func=cmd_schedule)
