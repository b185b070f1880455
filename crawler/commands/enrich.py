"""``sportnews enrich``: tag stored articles with clubs, cited sources and stories (also run after each crawl)."""

from __future__ import annotations

import argparse
import contextlib
import logging
from typing import Any

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3


def cmd_enrich(args: argparse.Namespace) -> int:
    from crawler.cli import _console, _fail
    from pipeline.enrich import enrich_archive
    from pipeline.entities import GazetteerError, load_gazetteer
    from storage.connection import ArchiveError, ArchiveLockedError

    try:
        gaz = load_gazetteer(args.gazetteer)
    except (OSError, GazetteerError) as exc:
        return _fail(f"cannot read the gazetteer: {exc}", EXIT_USAGE)
    try:
        counts = enrich_archive(
            args.db, since=args.since, only_new=not args.all, lock_timeout=args.lock_timeout, gazetteer=gaz,
            fts=not args.no_fts,
        )  # fmt: skip
    except (ArchiveError, ArchiveLockedError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    except ValueError as exc:  # a bad --since
        return _fail(str(exc), EXIT_USAGE)
    console = _console(stderr=True)
    console.print(describe(counts), soft_wrap=True)
    return EXIT_OK


def describe(counts: Any) -> str:
    """One paragraph for people: what the run tagged, and what to do next if anything."""
    lines = [
        f"enriched {counts.articles} articles: {counts.entities} club/team/competition tags, "
        f"{counts.citations} cited sources, {counts.new_stories} new stories "
        f"({counts.grouped} articles joined a story with other articles)"
    ]
    if counts.fts == "built":
        lines.append("full-text index rebuilt")
    elif counts.fts != "skipped":
        lines.append(f"full-text index not built: {counts.fts}; `sportnews search` scans instead")
    if counts.stale:
        lines.append(
            f"{counts.stale} articles were tagged with another version of the gazetteer: "
            "`sportnews enrich --all` re-tags them"
        )
    return "\n".join(lines)


def enrich_after_crawl(db: str, lock_timeout: float) -> None:
    """Tag the articles a crawl just stored. Never raises: the crawl's outcome stands whatever
    happens here, and `sportnews enrich` can always be run again."""
    try:
        from crawler.cli import _console
        from pipeline.enrich import enrich_archive

        counts = enrich_archive(db, lock_timeout=lock_timeout)
        if counts.articles:
            # After a crawl, one line: the full-text index note belongs to `sportnews enrich`/`search`.
            _console().print(describe(counts).splitlines()[0], soft_wrap=True)
    except Exception as exc:  # enrichment must never fail a crawl
        logger.warning("enrichment after the crawl failed: %s", exc, exc_info=True)
        with contextlib.suppress(Exception):
            from crawler.cli import _console

            _console(stderr=True).print(f"[yellow]enrichment skipped ({exc}); run `sportnews enrich` later[/]")


def add_parser(sub: Any) -> None:
    from crawler import settings as defaults

    p = sub.add_parser(
        "enrich",
        help="tag articles with clubs, cited sources and stories",
        description="Tag the archive's articles with the clubs, national teams and competitions they name, the "
        "outlets they cite as sources, and the stories they belong to (tables article_entities, "
        "article_citations, stories; see README.md, Clubs, sources and stories). `sportnews crawl` does "
        "this for new articles after each crawl; run it by hand after changing the gazetteer (--all).",
    )
    p.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")
    p.add_argument("--all", action="store_true", help="re-tag every article and regroup stories, not just new ones")
    p.add_argument("--since", metavar="DATE", help="only articles published on or after this date (YYYY-MM-DD)")
    p.add_argument("--gazetteer", metavar="FILE", help="a gazetteer TOML file instead of the built-in one")
    p.add_argument("--no-fts", action="store_true", help="do not rebuild the full-text index")
    p.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                   help="seconds to wait while a crawl writes a batch")  # fmt: skip
    p.set_defaults(func=cmd_enrich)
