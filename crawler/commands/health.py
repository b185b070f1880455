"""``sportnews health``: is every outlet still yielding real articles? A verdict per outlet, and an exit code."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.commands.common import format_duration, parse_duration, table_console
from storage.report_queries import OutletWindow

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_BROKEN, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3
VERDICTS = ("ok", "degraded", "broken")


@dataclass(frozen=True)
class HealthRules:
    """The documented rules of a verdict (README.md, Monitoring); ``--rule NAME=VALUE`` overrides any.

    An outlet is ``broken`` when any broken rule holds, else ``degraded`` when any degraded rule
    holds, else ``ok``. Share rules are only judged on ``min_articles`` articles or more, rate
    rules only with a baseline of ``min_baseline_days`` days or more.
    """

    min_text_chars: int = 400
    """Text at least this long counts as "with text". 122 of the 124 reference texts of the shared
    corpus (98%) are 400 characters or more (the two others 201 and 302); cookie notices, captions
    and "enable JavaScript" shells are under 300."""
    min_articles: int = 5
    """Shares of fewer articles are not judged: one undated live ticker must not flag an outlet."""
    text_share_degraded: float = 0.5
    text_share_broken: float = 0.2
    """Outlets publish briefs, galleries and videos, so a share well below 1 is normal; a redesign
    that hides the text from the extractor drops it towards 0."""
    date_share_degraded: float = 0.8
    date_share_broken: float = 0.5
    """News pages, feeds and sitemaps nearly always carry a date; losing it is a layout change."""
    rate_degraded: float = 0.5
    rate_broken: float = 0.2
    """Articles per day in the window against the outlet's own usual rate (the baseline before it):
    halving is worth a look, a fifth is a silent break (discovery lost, URL pattern changed)."""
    min_baseline_days: float = 1.0
    """Days of baseline needed before the rate is judged (a new outlet has no usual rate)."""
    reject_rate_degraded: float = 0.25
    reject_rate_broken: float = 0.6
    """Rejected article URLs per page fetched: a few 404s of deleted articles are normal."""
    error_rate_degraded: float = 0.25
    error_rate_broken: float = 0.9
    """Failed feed/sitemap/listing requests per request: 0.9 means the outlet is unreachable."""
    duplicate_share_degraded: float = 0.3
    duplicate_share_broken: float = 0.6
    """Pages whose text repeats an earlier article of the same outlet, per page fetched: when every
    page extracts to the same boilerplate, all but the first end as exact duplicates."""
    silent_gaps: float = 4.0
    silent_min_hours: float = 24.0
    """Broken when no new article for longer than this many usual gaps between articles (24 h /
    usual rate) and at least silent_min_hours: catches an outlet that stopped yesterday inside a
    week whose rate still looks fine."""

    def with_overrides(self, items: list[str]) -> HealthRules:
        """A copy with ``NAME=VALUE`` overrides; raises ValueError naming an unknown rule or bad value."""
        known = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for item in items:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise ValueError(f"unknown rule {name!r}: known rules are {', '.join(known)}")
            try:
                changes[name] = int(value) if known[name].type in (int, "int") else float(value)
            except ValueError:
                raise ValueError(f"rule {name}: not a number: {value!r}") from None
        return dataclasses.replace(self, **changes)


@dataclass
class OutletHealth:
    """One outlet's figures over the window and the verdict they give."""

    outlet: str
    verdict: str
    reasons: list[str] = field(default_factory=list)
    runs: int = 0
    articles_per_day: float = 0.0
    usual_per_day: float | None = None
    date_share: float | None = None
    text_share: float | None = None
    reject_rate: float | None = None
    error_rate: float | None = None
    duplicate_share: float | None = None
    last_success: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["last_success"] = self.last_success.isoformat() if self.last_success else None
        return d


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def evaluate(w: OutletWindow, window_days: float, rules: HealthRules, now: datetime) -> OutletHealth:
    """The verdict of one outlet: every rule that holds adds a reason; the worst one decides."""
    h = OutletHealth(outlet=w.outlet, verdict="ok", runs=w.runs, last_success=w.last_success)
    h.articles_per_day = w.articles / window_days if window_days > 0 else 0.0
    if w.baseline_days >= rules.min_baseline_days:
        h.usual_per_day = w.baseline_articles / w.baseline_days
    if w.articles >= rules.min_articles:
        h.date_share = _ratio(w.dated, w.articles)
        h.text_share = _ratio(w.long_text, w.articles)
    h.reject_rate = _ratio(w.rejects, w.fetched)
    h.error_rate = _ratio(w.errors, w.sources)
    h.duplicate_share = _ratio(w.exact_duplicates, w.fetched)
    broken: list[str] = []
    degraded: list[str] = []

    def check(value: float | None, degraded_at: float, broken_at: float, label: str, low_is_bad: bool) -> None:
        if value is None:
            return
        bad = (lambda limit: value < limit) if low_is_bad else (lambda limit: value >= limit)
        sign = "<" if low_is_bad else ">="
        if bad(broken_at):
            broken.append(f"{label} {value:.0%} {sign} {broken_at:.0%}")
        elif bad(degraded_at):
            degraded.append(f"{label} {value:.0%} {sign} {degraded_at:.0%}")

    check(h.text_share, rules.text_share_degraded, rules.text_share_broken,
          f"text >= {rules.min_text_chars} chars", True)  # fmt: skip
    check(h.date_share, rules.date_share_degraded, rules.date_share_broken, "dated", True)
    check(h.reject_rate, rules.reject_rate_degraded, rules.reject_rate_broken, "rejects", False)
    check(h.error_rate, rules.error_rate_degraded, rules.error_rate_broken, "source errors", False)
    check(h.duplicate_share, rules.duplicate_share_degraded, rules.duplicate_share_broken, "same-text pages", False)
    if h.usual_per_day:
        ratio = h.articles_per_day / h.usual_per_day
        text = f"{h.articles_per_day:.1f}/day vs usual {h.usual_per_day:.1f}"
        if ratio < rules.rate_broken:
            broken.append(f"{text} (< {rules.rate_broken:.0%})")
        elif ratio < rules.rate_degraded:
            degraded.append(f"{text} (< {rules.rate_degraded:.0%})")
        gap_hours = 24.0 / h.usual_per_day
        silent_limit = max(rules.silent_gaps * gap_hours, rules.silent_min_hours)
        silent = (now - w.last_success).total_seconds() / 3600 if w.last_success else None
        if silent is not None and silent > silent_limit:
            broken.append(f"no new article for {format_duration(silent * 3600)} (usual gap "
                          f"{format_duration(gap_hours * 3600)})")  # fmt: skip
    if w.runs and not w.articles and not h.usual_per_day and w.fetched:
        degraded.append("pages fetched but no article stored")
    h.verdict = "broken" if broken else "degraded" if degraded else "ok"
    h.reasons = broken + degraded
    return h


def outlet_health(db: str, since: float, baseline: float, rules: HealthRules, lock_timeout: float = 30.0,
                  now: datetime | None = None) -> list[OutletHealth]:  # fmt: skip
    """Every outlet crawled in the last ``since`` seconds, judged against the ``baseline`` seconds before."""
    from storage.connection import opened
    from storage.report_queries import outlet_windows

    now = now or datetime.now(UTC)
    start = now - timedelta(seconds=since)
    with opened(db, read_only=True, lock_timeout=lock_timeout) as con:
        windows = outlet_windows(con, start, now, start - timedelta(seconds=baseline), rules.min_text_chars)
    return [evaluate(w, since / 86400, rules, now) for w in windows]


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.0%}"


def print_table(rows: list[OutletHealth], title: str) -> None:
    """The verdicts as a table, then one line per outlet that is not ok with the rules that held
    (lines, not a table column, so they stay readable in a log or a mail)."""
    from rich.table import Table

    table = Table(title=title)
    for col in ("outlet", "runs", "/day", "usual", "dated", "text", "rej", "err", "same", "last success", "verdict"):
        table.add_column(col, justify="left" if col in ("outlet", "verdict", "last success") else "right")
    for h in rows:
        style = {"ok": "green", "degraded": "yellow", "broken": "bold red"}[h.verdict]
        table.add_row(
            h.outlet, str(h.runs), f"{h.articles_per_day:.1f}",
            "" if h.usual_per_day is None else f"{h.usual_per_day:.1f}",
            _pct(h.date_share), _pct(h.text_share), _pct(h.reject_rate), _pct(h.error_rate), _pct(h.duplicate_share),
            h.last_success.astimezone().strftime("%m-%d %H:%M") if h.last_success else "never",
            f"[{style}]{h.verdict}[/]",
        )  # fmt: skip
    console = table_console()
    console.print(table)
    for h in rows:
        if h.reasons:
            console.print(f"  {h.outlet}: {h.verdict}: {'; '.join(h.reasons)}", soft_wrap=True)


def cmd_health(args: argparse.Namespace) -> int:
    from rich.console import Console

    from storage.connection import ArchiveError, ArchiveLockedError

    err = Console(stderr=True, highlight=False)
    try:
        since = parse_duration(args.since, "d")
        baseline = parse_duration(args.baseline, "d")
        rules = HealthRules().with_overrides(args.rule or [])
    except ValueError as exc:
        err.print(f"[bold red]sportnews:[/] {exc}")
        return EXIT_USAGE
    try:
        rows = outlet_health(args.db, since, baseline, rules, args.lock_timeout)
    except (ArchiveError, ArchiveLockedError) as exc:
        err.print(f"[bold red]sportnews:[/] {exc}")
        return EXIT_ARCHIVE
    if args.outlet:
        rows = [h for h in rows if h.outlet in set(args.outlet)]
    fail_on = VERDICTS.index(args.fail_on)
    failing = [h for h in rows if VERDICTS.index(h.verdict) >= fail_on]
    if args.format == "json":
        print(json.dumps([h.as_json() for h in rows], ensure_ascii=False, indent=1))
    else:
        print_table(rows, f"outlet health, last {format_duration(since)} (usual rate: the "
                          f"{format_duration(baseline)} before)")  # fmt: skip
        counts = {v: sum(1 for h in rows if h.verdict == v) for v in VERDICTS}
        print(f"{counts['ok']} ok, {counts['degraded']} degraded, {counts['broken']} broken")
    if not rows:
        err.print(f"[bold red]sportnews:[/] no crawl in the last {format_duration(since)} in {args.db}")
        return EXIT_BROKEN
    return EXIT_BROKEN if failing else EXIT_OK


def add_parser(sub: Any) -> None:
    from crawler import settings as defaults

    h = sub.add_parser(
        "health",
        help="per-outlet health over a recent window; exit 1 when an outlet is broken",
        description="Judge every outlet crawled in the window (articles per day against its usual rate, "
        "dated and long-text shares, reject, error and same-text rates, last success) as ok, degraded "
        "or broken, with the rules of README.md (Monitoring). Exit 1 when any outlet is broken (or "
        "--fail-on degraded), or when nothing was crawled in the window.",
    )
    h.add_argument("--since", default="7d", help="the window judged: 7d (default), 24h, 2w...")
    h.add_argument("--baseline", default="28d", help="the period before the window giving each usual rate (28d)")
    h.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    h.add_argument("--outlet", action="append", metavar="KEY", help="only this outlet (repeatable)")
    h.add_argument("--rule", action="append", metavar="NAME=VALUE", help="override a rule, e.g. text_share_broken=0.3")
    h.add_argument("--fail-on", choices=("broken", "degraded"), default="broken", help="verdict that makes exit 1")
    h.add_argument("--format", choices=("table", "json"), default="table")
    h.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds to wait while a crawl writes a batch")  # fmt: skip
    h.set_defaults(func=cmd_health)
