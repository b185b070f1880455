"""``sportnews search TEXT``: full-text search over titles and texts of the archive."""

from __future__ import annotations

import argparse
import logging
from typing import Any

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3


def cmd_search(args: argparse.Namespace) -> int:
    import duckdb

    from crawler.cli import _console, _fail, print_rows
    from storage.connection import ArchiveError, ArchiveLockedError, opened
    from storage.fts import RESULT_COLUMNS, search

    try:
        with opened(args.db, read_only=True, lock_timeout=args.lock_timeout) as con:
            result = search(con, args.text, limit=args.limit, outlets=args.outlet or None, since=args.since)
    except (ArchiveError, ArchiveLockedError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    except duckdb.Error as exc:
        return _fail(f"search failed: {exc}", EXIT_FAILED)
    if result.note:
        _console(stderr=True).print(
            f"[yellow]note:[/] {result.note}. Searched with a plain scan instead: every word must appear "
            "(accents and case ignored), no stemming, ranked by occurrences.",
            soft_wrap=True,
        )
    rows = [(*r[:-1], round(float(r[-1]), 3)) for r in result.rows]
    print_rows(RESULT_COLUMNS, rows, args.format)
    return EXIT_OK


def add_parser(sub: Any) -> None:
    from crawler import settings as defaults

    p = sub.add_parser(
        "search",
        help="full-text search over titles and texts",
        description="Articles containing every word of TEXT (quote phrases: '\"Real Madrid\" Allegri'), best "
        "first. Uses DuckDB's fts index (BM25, Italian stemming) when the fts extension is installed and "
        "`sportnews enrich` has built the index; otherwise scans titles and texts and says so.",
    )
    p.add_argument("text")
    p.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    p.add_argument("--limit", type=int, default=20, help="at most this many articles (default 20)")
    p.add_argument("--outlet", action="append", metavar="KEY", help="only this outlet (repeatable)")
    p.add_argument("--since", metavar="DATE", help="only articles published on or after this date (YYYY-MM-DD)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds to wait while a crawl writes a batch")  # fmt: skip
    p.set_defaults(func=cmd_search)
