"""``sportnews reprocess``: re-run extraction over the raw pages of the archive and update the articles in place."""

from __future__ import annotations

import argparse
import logging
from typing import Any

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3


def add_parser(sub: Any) -> None:
    from crawler import settings as defaults

    p = sub.add_parser(
        "reprocess",
        help="re-extract stored articles from their raw HTML and update them in place",
        description=(
            "Re-run extraction over the gzipped pages kept in the archive and update the changed "
            "articles in place (same article ids), in batches that each open and close the archive. "
            "Run it after upgrading sportnews so the whole archive gets the better extraction."
        ),
    )
    p.add_argument("--outlet", metavar="KEY", help="only this outlet's articles")
    p.add_argument("--since", metavar="DATE", help="only articles published on or after this date (YYYY-MM-DD)")
    p.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    p.add_argument("--workers", type=int, default=0, help="extraction processes (default: one per core)")
    p.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds to wait while a crawl holds the archive")  # fmt: skip
    p.set_defaults(func=cmd_reprocess)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from crawler.cli import _console, _fail
    from crawler.commands.common import interactive
    from pipeline.reprocess import reprocess_archive
    from storage.connection import ArchiveError, ArchiveLockedError

    console = _console(stderr=True)
    try:
        if interactive():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            columns = (TextColumn("re-extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, transient=True, console=console) as bar:
                task = bar.add_task("reprocess", total=None)

                def advance(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                counts = reprocess_archive(args.db, args.outlet, args.since, workers=args.workers,
                                           lock_timeout=args.lock_timeout, on_batch=advance)  # fmt: skip
        else:
            counts = reprocess_archive(args.db, args.outlet, args.since, workers=args.workers,
                                       lock_timeout=args.lock_timeout)  # fmt: skip
    except ValueError as exc:  # a bad --since
        return _fail(f"--since: {exc}", EXIT_USAGE)
    except (ArchiveError, ArchiveLockedError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    console.print(describe(counts), soft_wrap=True, markup=False)
    return EXIT_OK


def describe(counts: Any) -> str:
    """The report: how many changed, in which columns, and the pages the extractor now turns down."""
    lines = [
        f"re-extracted {counts.articles} articles: {counts.changed} changed, {counts.unchanged} unchanged"
        + (f", {counts.rejected} now rejected (rows kept)" if counts.rejected else "")
    ]
    if counts.fields:
        lines.append("changed columns: " + ", ".join(f"{c} {n}" for c, n in counts.fields.most_common()))
    if counts.reject_reasons:
        lines.append("reject reasons: " + ", ".join(f"{r} {n}" for r, n in counts.reject_reasons.most_common()))
    lines += [f"  {e}" for e in counts.examples]
    if counts.changed and "text" in counts.fields:
        lines.append("texts changed: `sportnews enrich --all` re-tags clubs and stories")
    return "\n".join(lines)
