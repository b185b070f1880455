"""``sportnews evaluate``: our extraction and plain trafilatura, side by side, on pages with reference values."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

REPO_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
"""The repository's recorded fixtures (a source checkout; absent from an installed wheel)."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score extraction against pages with reference values, beside plain trafilatura",
        description=(
            "Run our extraction and plain trafilatura (bare_extraction with metadata, default options, "
            "then langdetect) over a corpus folder (<id>.html.gz + <id>.json, the ../shared/corpus "
            "format) and over the repository's recorded fixtures, and print per-field scores side "
            "by side: all pages, Italian pages, and both halves of a random split."
        ),
    )
    p.add_argument("corpus", nargs="?", help="corpus folder (omit to score the fixtures only)")
    p.add_argument("--rows", metavar="OUT.jsonl", help="write one JSON line per page and extractor here")
    p.add_argument("--split-seed", type=int, default=0, metavar="N", help="seed of the random halves (default 0)")
    p.add_argument("--fixtures", default=str(REPO_FIXTURES), metavar="DIR",
                   help="folder of sites/ and outlet_pages/ (default: the repository's tests/fixtures)")  # fmt: skip
    p.add_argument("--no-fixtures", action="store_true", help="score the corpus only")
    p.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    p.add_argument("--misses", type=int, default=15, metavar="N",
                   help="list up to N of our pages that miss a target (default 15)")  # fmt: skip
    p.set_defaults(func=cmd_evaluate)


def _render_sites(root: Path) -> tuple[Callable[[str, str], tuple[str, bytes, str]], Callable[[], None]]:
    """A renderer for tests/fixtures/sites pages and its cleanup: the fixture server fills the
    ``{{BASE}}`` tokens with the loopback address it listens on (nothing is requested)."""
    from crawler.fixture_server import FixtureSites

    sites = FixtureSites(root, lifetime=600).start()

    def render(outlet: str, path: str) -> tuple[str, bytes, str]:
        _, content_type, _, body = sites.render(outlet, path)
        return sites.url(outlet, path), body, content_type

    return render, sites.stop


def load_cases(args: argparse.Namespace) -> dict[str, list[Any]]:
    """{set name: cases}: the corpus and each fixture set found."""
    from pipeline import evaluate as ev

    sets: dict[str, list[Any]] = {}
    if args.corpus:
        sets["corpus"] = ev.load_corpus(args.corpus)
    if not args.no_fixtures:
        root = Path(args.fixtures)
        if (root / "sites" / "expected.json").exists():
            render, stop = _render_sites(root / "sites")
            try:
                expected = json.loads((root / "sites" / "expected.json").read_text("utf-8"))
                sets["fixtures"] = ev.sites_cases(expected, render)
            finally:
                stop()
        if (root / "outlet_pages").is_dir():
            sets.setdefault("fixtures", []).extend(ev.load_outlet_pages(root / "outlet_pages"))
    return sets


def _table(title: str, groups: Sequence[tuple[str, dict[str, dict[str, Any]]]]) -> Any:
    """Rows: the measures; per group (all, Italian, half A...): n, ours, trafilatura."""
    from rich.table import Table

    from pipeline import evaluate as ev

    table = Table(title=title, title_justify="left")
    table.add_column("measure", no_wrap=True)
    for name, _ in groups:
        table.add_column(f"{name}\nn", justify="right")
        table.add_column("ours", justify="right")
        table.add_column("trafilatura", justify="right")
    for key, label in ev.METRICS:
        cells: list[str] = []
        any_value = False
        for _, scores in groups:
            ours, traf = scores[ev.OURS][key], scores[ev.TRAFILATURA][key]
            counted = key in ev.COUNT_METRICS
            digits = 0 if counted else 3
            ours_text = ours.text(digits)
            if not counted and ours.value is not None and traf.value is not None and key != "snippets_leaked":
                ours_text = f"[bold]{ours_text}[/]" if ours.value > traf.value else ours_text
            traf_text = traf.text(digits) if key != "page_kind" else "-"
            cells += [str(ours.n), ours_text, traf_text]
            any_value = any_value or ours.value is not None
        if any_value:
            table.add_row(label, *cells)
    return table


def report(console: Any, name: str, rows: list[dict[str, Any]], seed: int, misses: int) -> None:
    from pipeline import evaluate as ev

    ids = {r["id"] for r in rows}
    italian = sum(1 for r in rows if r["extractor"] == ev.OURS and r.get("ref_language") == "it")
    groups = [("all", ev.compare(rows)), ("Italian", ev.compare(rows, lambda r: r.get("ref_language") == "it"))]
    console.print(_table(f"{name}: {len(ids)} pages ({italian} Italian)", groups))
    half_a, half_b = ev.split_ids(ids, seed)
    halves = [
        (f"half A ({len(half_a)})", ev.compare(rows, lambda r: r["id"] in half_a)),
        (f"half B ({len(half_b)})", ev.compare(rows, lambda r: r["id"] in half_b)),
    ]
    console.print(_table(f"{name}: random halves (seed {seed})", halves))
    missed = ev.low_pages(rows)
    if missed:
        console.print(f"{name}: {len(missed)} of our pages miss a target (text F1 < {ev.LOW_F1}, date, title, "
                      f"language or crash){':' if misses else ''}")  # fmt: skip
    for r in missed[:misses]:
        console.print("  " + describe_miss(r), soft_wrap=True, markup=False)


def describe_miss(row: dict[str, Any]) -> str:
    """One line per page that misses a target: which fields, and what was found."""
    parts = [row["id"]]
    if row.get("crash"):
        parts.append(f"crash {row['crash']}")
    elif row.get("reject"):
        parts.append(f"reject {row['reject']}")
    if row.get("text_f1", 1.0) < 0.5:
        parts.append(f"text F1 {row['text_f1']:.2f}")
    if row.get("date_ok") is False:
        parts.append(f"date {row.get('got_date')} != {row.get('ref_date')}")
    if row.get("title_ok") is False:
        parts.append(f"title {row.get('got_title')!r} != {row.get('ref_title')!r}")
    if row.get("language_ok") is False:
        parts.append(f"language {row.get('got_language')} != {row.get('ref_language')}")
    return "; ".join(parts)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from crawler.cli import _console, _fail
    from crawler.commands.common import interactive
    from pipeline import evaluate as ev
    from pipeline.pool import default_workers

    if args.corpus and not Path(args.corpus).is_dir():
        return _fail(f"no corpus folder at {args.corpus}", EXIT_USAGE)
    sets = load_cases(args)
    if not any(sets.values()):
        return _fail("nothing to evaluate: give a corpus folder or keep the fixtures", EXIT_USAGE)
    console = _console()
    workers = args.workers or default_workers()
    all_rows: list[dict[str, Any]] = []
    for name, cases in sets.items():
        if not cases:
            continue
        if interactive():
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task(f"{name}: {len(cases)} pages", total=len(cases))
                rows = ev.evaluate(cases, workers=workers, on_done=lambda: bar.advance(task))  # noqa: B023
        else:
            rows = ev.evaluate(cases, workers=workers)
        report(console, f"{name} ({cases[0].source if name == 'corpus' else 'tests/fixtures'})", rows,
               args.split_seed, args.misses)  # fmt: skip
        all_rows += [{**r, "set": name} for r in rows]
    if args.rows:
        n = ev.write_rows(all_rows, args.rows)
        console.print(f"{n} rows written to {args.rows}")
    crashes = sum(1 for r in all_rows if r["extractor"] == ev.OURS and r.get("crash"))
    return EXIT_FAILED if crashes else EXIT_OK
