"""``sportnews compact``: give back the space of deleted rows by copying the archive into a fresh file."""

from __future__ import annotations

import argparse
from typing import Any

EXIT_OK, EXIT_ARCHIVE = 0, 3


def add_parser(sub: Any) -> None:
    from crawler import settings as defaults

    p = sub.add_parser(
        "compact",
        help="copy the archive into a fresh file without the space of deleted rows",
        description=(
            "DuckDB never shrinks a database file, and crawls leave deleted rows in place (the raw page "
            "a revision replaced, the near-duplicate index rows that left the window). This copies the "
            "archive into a new file next to it (COPY FROM DATABASE: live rows only, indexes and views "
            "rebuilt) and swaps it in once every table holds the same rows. It waits for a running crawl "
            "and keeps the archive locked while it copies; it needs free space up to the archive's size."
        ),
    )
    p.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    p.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds to wait while a crawl or another writer holds the archive")  # fmt: skip
    p.set_defaults(func=cmd_compact)


def cmd_compact(args: argparse.Namespace) -> int:
    from crawler.cli import _console, _fail
    from crawler.runlock import RunLock, RunLockBusy
    from storage.compact import compact_archive
    from storage.connection import ArchiveError, ArchiveLockedError

    try:
        # A crawl holds the run lock for its whole run and the archive's only per batch: without
        # the run lock a crawl could start between the copy and the swap, then wait for its turn.
        with RunLock(args.db).acquire(wait=args.lock_timeout):
            result = compact_archive(args.db, lock_timeout=args.lock_timeout)
    except RunLockBusy as exc:
        return _fail(f"a crawl is running on {args.db} ({exc.holder or 'another process'}): compact after it ends",
                     EXIT_ARCHIVE)  # fmt: skip
    except (ArchiveError, ArchiveLockedError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    mb = 1 << 20
    _console().print(
        f"compacted {args.db}: {result.bytes_before / mb:,.1f} MB -> {result.bytes_after / mb:,.1f} MB; "
        f"{sum(result.rows.values()):,} rows in {len(result.rows)} tables, the same before and after",
        soft_wrap=True, markup=False,
    )  # fmt: skip
    return EXIT_OK
