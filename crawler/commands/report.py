"""``sportnews report``: the archive at a glance, as one self-contained HTML page with inline SVG plots."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from crawler.commands import svg
from crawler.commands.common import format_duration, parse_duration, progress

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TOP_WORDS = 25
MAX_LANGUAGES = 6
"""Languages shown by name; the rest are summed as "other" (real archives: it, en, and noise)."""

_STOPWORDS = """
a ad al alla alle allo agli ai anche ancora c ci che chi col come con contro cosa cui da dal dalla dalle dallo
dagli dai del della delle dello degli dei di dopo dove e ecco è era essere fa fare già gli ha hanno ho i il in
io la le lei li lo loro lui ma mai me mi ne negli nei nel nella nelle nello no noi non nostro o oggi ogni per
perché più poi può qua quale quando quanto quella quelle quello questa queste questo qui se sei senza si sia
siamo sono su sua sue sul sulla sulle sullo sugli sui suo suoi ti tra tu tutti tutto un una uno va vi voi vs
ecco solo ora dopo prima tutta tutte stato stata sarà essere avere the of and to in on for with is at
"""
STOPWORDS = frozenset(_STOPWORDS.split())
"""Italian (and a few English) function words: frequent in every title, telling nothing."""
WORD_RE = re.compile(r"[a-zàáèéìíòóùú]+", re.IGNORECASE)


def title_words(titles: list[str], top: int = TOP_WORDS) -> list[tuple[str, int]]:
    """The most frequent content words of the titles (case folded, elided articles split off)."""
    counts: Counter[str] = Counter()
    for title in titles:
        seen = set()
        for word in WORD_RE.findall(title.lower().replace("’", "'")):
            if len(word) >= 3 and word not in STOPWORDS and word not in seen:
                seen.add(word)  # a word counts once per title: "Inter-Inter" is one mention
                counts[word] += 1
    return counts.most_common(top)


def _plot_articles_per_day(rows: list[tuple[str, date, int]], days: list[date]) -> str:
    totals: Counter[str] = Counter()
    values: dict[tuple[str, str], float] = {}
    for outlet, day, n in rows:
        totals[outlet] += n
        values[(outlet, day.strftime("%m-%d"))] = n
    outlets = [o for o, _ in totals.most_common()]
    cols = [d.strftime("%m-%d") for d in days]
    cell_w = min(36, max(12, 900 // max(len(cols), 1)))  # fill about 900 px of the page's 1180
    return svg.heatmap(outlets, cols, values, "articles per outlet per day", col_every=max(1, len(cols) // 15),
                       cell=(cell_w, 18))  # fmt: skip


def _plot_hours(rows: list[tuple[int, int, int]]) -> str:
    values = {(WEEKDAYS[dow - 1], f"{hour:02d}"): float(n) for dow, hour, n in rows}
    return svg.heatmap(list(WEEKDAYS), [f"{h:02d}" for h in range(24)], values,
                       "publication hour by weekday (Europe/Rome)", cell=(22, 18))  # fmt: skip


def _plot_languages(rows: list[tuple[str, str, int]]) -> str:
    overall: Counter[str] = Counter()
    for _, lang, n in rows:
        overall[lang] += n
    shown = [lang for lang, _ in overall.most_common(MAX_LANGUAGES)]
    per: dict[str, dict[str, float]] = defaultdict(dict)
    for outlet, lang, n in rows:
        key = lang if lang in shown else "other"
        per[outlet][key] = per[outlet].get(key, 0) + n
    categories = shown + (["other"] if len(overall) > len(shown) else [])
    return svg.stacked_shares(sorted(per.items()), categories, "language share per outlet")


def _plot_duplicates(rows: list[tuple[str, int, int, int]]) -> str:
    cats = ("original", "copy of another outlet", "duplicate URL or text")
    data = [(o, dict(zip(cats, (a, b, c), strict=True))) for o, a, b, c in rows]
    return svg.stacked_shares(data, cats, "duplicate share per outlet")


def _plot_health(rows: list[Any]) -> str:
    items = [(h.outlet, h.articles_per_day) for h in rows]
    colors = [svg.VERDICT_COLORS[h.verdict] for h in rows]
    return svg.hbars(items, "outlet health: new articles per day (bar) against the usual rate (tick)", "per day",
                     colors, [h.usual_per_day for h in rows])  # fmt: skip


def _health_table(rows: list[Any]) -> str:
    if not rows:
        return ""
    out = ["<table><tr><th>outlet</th><th>verdict</th><th>per day</th><th>usual</th><th>dated</th><th>text</th>"
           "<th>rejects</th><th>errors</th><th>why</th></tr>"]  # fmt: skip

    def pct(v: float | None) -> str:
        return "" if v is None else f"{v:.0%}"

    for h in rows:
        out.append(
            f'<tr><td>{escape(h.outlet)}</td><td class="v-{h.verdict}">{h.verdict}</td>'
            f"<td>{h.articles_per_day:.1f}</td><td>{'' if h.usual_per_day is None else f'{h.usual_per_day:.1f}'}</td>"
            f"<td>{pct(h.date_share)}</td><td>{pct(h.text_share)}</td><td>{pct(h.reject_rate)}</td>"
            f"<td>{pct(h.error_rate)}</td><td>{escape('; '.join(h.reasons))}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222;
background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 4px} p.note{color:#666;margin:0 0 8px;font-size:13px}
.totals{display:flex;gap:24px;flex-wrap:wrap;margin:12px 0 8px} .totals div{background:#f4f6f8;padding:8px 14px;
border-radius:6px} .totals b{display:block;font-size:20px}
section{overflow-x:auto} table{border-collapse:collapse;font-size:12px;margin-top:8px}
td,th{border-bottom:1px solid #e3e6ea;padding:3px 8px;text-align:left}
.v-ok{color:#2e7d32;font-weight:600} .v-degraded{color:#a07800;font-weight:600} .v-broken{color:#c62828;font-weight:700}
"""


def build_report(db: str, days: int = 30, words_days: int = 3, health_since: float = 7 * 86400,
                 health_baseline: float = 28 * 86400, lock_timeout: float = 30.0,
                 now: datetime | None = None) -> str:  # fmt: skip
    """The report's HTML: every query run once, every plot drawn inline."""
    from zoneinfo import ZoneInfo

    from crawler.commands.health import HealthRules, outlet_health
    from storage import report_queries as q
    from storage.connection import DISPLAY_TIMEZONE, opened

    now = now or datetime.now(UTC)
    today = now.astimezone(ZoneInfo(DISPLAY_TIMEZONE)).date()
    since_day = today - timedelta(days=days - 1)
    day_list = [since_day + timedelta(days=i) for i in range(days)]
    sections: list[tuple[str, str, str]] = []
    data: dict[str, Any] = {}
    with opened(db, read_only=True, lock_timeout=lock_timeout) as con:
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("totals", lambda: q.archive_totals(con)),
            ("last_run", lambda: q.last_run(con)),
            ("per_day", lambda: q.articles_per_outlet_day(con, since_day)),
            ("hours", lambda: q.hour_by_weekday(con, since_day)),
            ("languages", lambda: q.language_share(con, since_day)),
            ("duplicates", lambda: q.duplicate_share(con, since_day)),
            ("titles", lambda: q.recent_titles(con, now - timedelta(days=words_days))),
        ]
        for name, step in progress(steps, "report queries"):
            data[name] = step()
    health = outlet_health(db, health_since, health_baseline, HealthRules(), lock_timeout, now)

    sections.append(("Articles per outlet per day", f"By publication day (the day first seen when undated), last "
                     f"{days} days; busiest outlets first. Hover a cell for its count.",
                     _plot_articles_per_day(data["per_day"], day_list)))  # fmt: skip
    sections.append(("Publication hour by weekday", "Dated articles of the same days, Europe/Rome time.",
                     _plot_hours(data["hours"])))  # fmt: skip
    sections.append(("Language share", "Detected language of the text (langdetect), per outlet.",
                     _plot_languages(data["languages"])))  # fmt: skip
    sections.append(("Duplicate share", "Per outlet: its own articles, copies of an article another outlet "
                     "published first (syndication), and URLs that were variants or same-text repeats of its own.",
                     _plot_duplicates(data["duplicates"])))  # fmt: skip
    health_note = (f"`sportnews health --since {format_duration(health_since)}`: new articles per day in that "
                   "window against the outlet's usual rate; colour = verdict (green ok, yellow degraded, "
                   "red broken).")  # fmt: skip
    sections.append(("Outlet health", health_note,
                     (_plot_health(health) if health else svg.empty("outlet health", "no crawl in the window"))
                     + _health_table(health)))  # fmt: skip
    words = title_words(data["titles"])
    sections.append((f"Most frequent title words, last {words_days} days",
                     f"{len(data['titles'])} titles; each word counted once per title, common words left out.",
                     svg.hbars(words, "most frequent title words", "titles",
                               [svg.PALETTE[4]] * len(words))))  # fmt: skip

    totals = data["totals"]
    last = data["last_run"]
    cards = [
        ("articles", f"{totals['articles']:,}"), ("outlets", str(totals["outlets"])),
        ("crawl runs", str(totals["runs"])),
        ("first published", totals["first"].strftime("%Y-%m-%d") if totals["first"] else "–"),
        ("last published", totals["last"].strftime("%Y-%m-%d %H:%M") if totals["last"] else "–"),
        ("last run", f"{last[1]:%Y-%m-%d %H:%M} {last[3]}" if last else "never"),
    ]  # fmt: skip
    html = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>sportnews report: {escape(Path(db).name)}</title><style>{CSS}</style></head><body>",
        f'<h1>sportnews archive report</h1><p class="note">{escape(str(db))}, generated '
        f"{now.astimezone(ZoneInfo(DISPLAY_TIMEZONE)):%Y-%m-%d %H:%M %Z}</p>",
        '<div class="totals">' + "".join(f"<div><b>{escape(v)}</b>{escape(k)}</div>" for k, v in cards) + "</div>",
    ]
    for title, note, body in sections:
        html.append(f'<section><h2>{escape(title)}</h2><p class="note">{escape(note)}</p>{body}</section>')
    html.append("</body></html>")
    return "\n".join(html)


def cmd_report(args: argparse.Namespace) -> int:
    from storage.connection import ArchiveError, ArchiveLockedError

    try:
        health_since = parse_duration(args.health_since, "d")
    except ValueError as exc:
        print(f"sportnews: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        page = build_report(args.db, args.days, args.words_days, health_since, lock_timeout=args.lock_timeout)
    except (ArchiveError, ArchiveLockedError) as exc:
        print(f"sportnews: {exc}", file=sys.stderr)
        return EXIT_ARCHIVE
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, "utf-8")
    except OSError as exc:
        print(f"sportnews: cannot write {out}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"report written to {out} ({len(page.encode()) // 1024} KB); open it in any browser, no network needed",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def add_parser(sub: Any) -> None:
    from crawler import settings as defaults

    r = sub.add_parser(
        "report",
        help="write one self-contained HTML page with plots of the archive",
        description="Plots of the archive in one HTML file with inline SVG (no network needed to view it): "
        "articles per outlet per day, publication hour by weekday, language share, duplicate share, "
        "outlet health, most frequent title words.",
    )
    r.add_argument("--out", required=True, help="the HTML file to write")
    r.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    r.add_argument("--days", type=int, default=30, help="days shown in the per-day plots (default 30)")
    r.add_argument("--words-days", type=int, default=3, help="days of titles for the word counts (default 3)")
    r.add_argument("--health-since", default="7d", help="window of the health verdicts (default 7d)")
    r.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds to wait while a crawl writes a batch")  # fmt: skip
    r.set_defaults(func=cmd_report)
