"""The ``sportnews`` command: crawl, outlets, query, export, extract, demo."""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler.outlets.registry import OutletFileError, select_outlets

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ARCHIVE = 0, 1, 2, 3

logger = logging.getLogger(__name__)


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Logs and pipes get a fixed, roomy width instead of rich's 80-column guess.
    return Console(stderr=stderr, highlight=False, width=None if stream.isatty() else 160)


def _fail(message: str, code: int) -> int:
    _console(stderr=True).print(f"[bold red]sportnews:[/] {message}")
    return code


# -- crawl ----------------------------------------------------------------------------------------
def crawl_settings(args: argparse.Namespace) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    if args.log_file:
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    settings.set("RETRY_GIVE_UP_LOG_LEVEL", "WARNING", priority="cmdline")
    for item in args.set or []:
        name, _, value = item.partition("=")
        settings.set(name.strip(), value, priority="cmdline")
    return settings


def run_crawl(
    settings: Any, outlet_keys: Sequence[str] | None, outlets_file: str | None, db: str, since: float | None,
    max_articles: int | None,
) -> dict[str, Any]:  # fmt: skip
    """Run one crawl in this process and return its final Scrapy stats."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.outlet import OutletSpider

    process = CrawlerProcess(settings)
    if logging.getLevelName(str(settings.get("LOG_LEVEL")).upper()) in (logging.ERROR, logging.CRITICAL):
        # An unreachable robots.txt is logged by Scrapy as an ERROR with a traceback; the run
        # summary already names every unreachable outlet and why, once.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    crawler = process.create_crawler(OutletSpider)
    kwargs: dict[str, Any] = {"db": db}
    if outlet_keys:
        kwargs["outlet"] = ",".join(outlet_keys)
    if outlets_file:
        kwargs["outlets_file"] = outlets_file
    if since is not None:
        kwargs["since"] = since
    if max_articles is not None:
        kwargs["max_articles"] = max_articles
    process.crawl(crawler, **kwargs)
    process.start()
    return crawler.stats.get_stats() if crawler.stats else {}


SUMMARY_COLUMNS = (
    ("discovered", "found"), ("fetched", "fetched"), ("stored", "stored"), ("unchanged", "same"),
    ("duplicates", "dups"), ("rejects", "rejects"), ("errors", "errors"),
)  # fmt: skip
"""(count, header): short headers so the table fits an 80-column log."""


def print_summary(stats: dict[str, Any]) -> None:
    from rich.table import Table

    summary: dict[str, dict[str, Any]] = stats.get("sportnews/summary") or {}
    table = Table(title=f"crawl {stats.get('sportnews/run_id', '?')} into {stats.get('sportnews/db', '?')}")
    table.add_column("outlet", no_wrap=True)
    for _, header in SUMMARY_COLUMNS:
        table.add_column(header, justify="right")
    table.add_column("status", no_wrap=True)
    totals = dict.fromkeys((c for c, _ in SUMMARY_COLUMNS), 0)
    problems: list[str] = []
    for key, c in sorted(summary.items()):
        for col in totals:
            totals[col] += int(c.get(col, 0))
        status = str(c.get("status", ""))
        style = {"ok": "green", "partial": "yellow", "unreachable": "red"}.get(status, "")
        table.add_row(key, *(str(c.get(col, 0)) for col, _ in SUMMARY_COLUMNS),
                      f"[{style}]{status}[/]" if style else status)  # fmt: skip
        if c.get("message"):
            problems.append(f"{key}: {c['message']}")
    table.add_row("[bold]total[/]", *(f"[bold]{totals[col]}[/]" for col, _ in SUMMARY_COLUMNS), "")
    console = _console()
    console.print(table)
    unreachable = [k for k, c in summary.items() if c.get("status") == "unreachable"]
    if unreachable:
        console.print(f"{len(unreachable)} of {len(summary)} outlets unreachable:")
    for line in problems:
        console.print(f"  {line}", soft_wrap=True)
    reason = stats.get("finish_reason")
    if reason and reason != "finished":
        console.print(f"[yellow]crawl ended early: {reason}[/]")


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl under the archive's run lock, so cron, systemd and `sportnews schedule` runs never overlap."""
    if getattr(args, "redis", None):  # a distributed crawl: queue it in Redis for the workers
        from crawler.distributed.commands import cmd_seed

        return cmd_seed(args)
    from crawler.runlock import RunLock, RunLockBusy

    try:
        run_lock = RunLock(args.db).acquire(wait=getattr(args, "lock_wait", 0.0) or 0.0)
    except RunLockBusy as exc:
        return _fail(f"skipped: {exc}", EXIT_ARCHIVE)
    except OSError as exc:
        return _fail(f"cannot take the run lock next to {args.db}: {exc}", EXIT_ARCHIVE)
    with run_lock:
        return crawl_locked(args)


def crawl_locked(args: argparse.Namespace) -> int:
    from storage.connection import ArchiveError, ArchiveLockedError
    from storage.writer import ArchiveWriter

    try:
        outlets = select_outlets(args.outlet or None, args.outlets)
    except OutletFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if not outlets:
        return _fail("no outlets selected", EXIT_USAGE)
    settings = crawl_settings(args)
    try:
        ArchiveWriter(args.db, settings.getfloat("SPORTNEWS_LOCK_TIMEOUT")).ensure_schema()
    except ArchiveLockedError as exc:
        return _fail(f"{exc}. Wait for it to finish, or stop it.", EXIT_ARCHIVE)
    except (ArchiveError, RuntimeError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    keys = [o.key for o in outlets] if (args.outlet or not args.outlets) else None
    stats = run_crawl(settings, keys, args.outlets, args.db, args.since, args.max_articles)
    if not stats.get("sportnews/run_id"):
        return _fail(f"the crawl could not start; see the log above (archive {args.db})", EXIT_FAILED)
    print_summary(stats)
    if stats.get("sportnews/archive_error"):  # pipeline/store_stage.py stopped the crawl
        return _fail(f"{stats['sportnews/archive_error']}. The archive holds every batch written before; "
                     "the next run fetches the rest.", EXIT_ARCHIVE)  # fmt: skip
    from crawler.commands.enrich import enrich_after_crawl

    enrich_after_crawl(args.db, settings.getfloat("SPORTNEWS_LOCK_TIMEOUT"))  # tags the new articles; never fails
    return EXIT_OK


# -- outlets --------------------------------------------------------------------------------------
def cmd_outlets(args: argparse.Namespace) -> int:
    from rich.table import Table

    try:
        outlets = select_outlets(None, args.outlets) if args.outlets else select_outlets(None, None)
    except OutletFileError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if args.format == "json":
        print(json.dumps([{"key": o.key, "name": o.name, "domains": list(o.domains), "feeds": list(o.feeds),
                           "sitemaps": list(o.sitemaps), "robots": o.robots, "listing_pages": list(o.listing_pages),
                           "article_url": o.article_url, "language": o.language} for o in outlets],
                         ensure_ascii=False, indent=1))  # fmt: skip
        return EXIT_OK
    table = Table(title=f"{len(outlets)} outlets")
    for col in ("key", "name", "domains", "feeds", "sitemaps", "robots", "listings", "lang"):
        table.add_column(col)
    for o in outlets:
        table.add_row(o.key, o.name, ", ".join(o.domains), str(len(o.feeds)), str(len(o.sitemaps)),
                      "yes" if o.robots else "", str(len(o.listing_pages)), o.language)  # fmt: skip
    _console().print(table)
    return EXIT_OK


# -- query ------------------------------------------------------------------------------------------
def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> None:
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, default=str,
                         indent=1))  # fmt: skip
    else:
        from rich.table import Table

        table = Table(show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        _console().print(table)


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from storage.connection import ArchiveError, ArchiveLockedError, opened

    try:
        with opened(args.db, read_only=True, lock_timeout=args.lock_timeout) as con:
            cur = con.execute(args.sql)
            columns = [d[0] for d in cur.description] if cur.description else []
            rows = cur.fetchall() if columns else []
    except (ArchiveError, ArchiveLockedError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    except duckdb.Error as exc:
        return _fail(f"query failed: {exc}", EXIT_FAILED)
    print_rows(columns, rows, args.format)
    return EXIT_OK


# -- export -------------------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from storage.connection import ArchiveError, ArchiveLockedError
    from storage.export import export_archive

    try:
        if args.format == "parquet-partitioned":
            from storage.partitioned_export import export_partitioned

            n = export_partitioned(args.db, Path(args.out), outlets=args.outlet or None, since=args.since,
                                   lock_timeout=args.lock_timeout)  # fmt: skip
        else:
            n = export_archive(args.db, args.format, Path(args.out), outlets=args.outlet or None, since=args.since,
                               lock_timeout=args.lock_timeout)  # fmt: skip
    except (ArchiveError, ArchiveLockedError, OSError, ValueError) as exc:
        return _fail(str(exc), EXIT_ARCHIVE)
    _console(stderr=True).print(f"exported {n} articles to {args.out} ({args.format})")
    return EXIT_OK


# -- extract ------------------------------------------------------------------------------------------
def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def extraction_json(result: Any) -> dict[str, Any]:
    from pipeline.items import ExtractedArticle

    if not isinstance(result, ExtractedArticle):
        return {"url": result.url, "rejected": result.reason, "detail": result.detail}
    return {
        "url": result.url, "canonical_url": result.canonical_url, "title": result.title, "authors": result.authors,
        "published": result.published_at, "published_source": result.published_source,
        "published_raw": result.published_raw, "modified": result.modified_at, "description": result.description,
        "section": result.section, "tags": result.tags, "image": result.image, "page_kind": result.page_kind,
        "language": result.language, "language_prob": result.language_prob, "word_count": result.word_count,
        "content_hash": result.content_hash, "text": result.text,
    }  # fmt: skip


def cmd_extract(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pipeline.items import Discovery, ExtractedArticle, FetchedPage
    from pipeline.worker import init_worker, process_page

    path = Path(args.file)
    try:
        body = read_page(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return _fail(f"cannot read {path}: {exc}", EXIT_USAGE)
    url = args.url or path.resolve().as_uri()
    init_worker()
    page = FetchedPage(outlet=args.outlet, url=url, body=body, content_type=args.content_type or "",
                       http_status=200, fetched_at=datetime.now(UTC).isoformat(),
                       discovery=Discovery(via="file", source_url=url))  # fmt: skip
    result = process_page(page)
    print(json.dumps(extraction_json(result), ensure_ascii=False, indent=1))
    return EXIT_OK if isinstance(result, ExtractedArticle) else EXIT_FAILED


# -- demo -----------------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo import run_demo

    return run_demo(args)


# -- parser ---------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from crawler import settings as defaults

    p = argparse.ArgumentParser(prog="sportnews", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def db_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", default=defaults.SPORTNEWS_DB, help=f"archive file (default {defaults.SPORTNEWS_DB})")

    def lock_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--lock-timeout", type=float, default=defaults.SPORTNEWS_LOCK_TIMEOUT,
                        help="seconds to wait while a crawl holds the archive")  # fmt: skip

    c = sub.add_parser(
        "crawl",
        help="crawl outlets into the archive",
        description="Crawl the outlets of the registry (or --outlet KEY ...) into the archive.",
    )
    c.add_argument("--outlet", action="append", metavar="KEY", help="only this outlet (repeatable)")
    c.add_argument("--outlets", metavar="FILE", help="TOML file of extra outlets; alone, crawl only those")
    db_arg(c)
    c.add_argument(
        "--since",
        type=float,
        metavar="DAYS",
        help=f"only feed/sitemap entries newer than this (default {defaults.SPORTNEWS_SINCE_DAYS:g})",
    )
    c.add_argument("--max-articles", type=int, metavar="N", help="at most N article pages per outlet")
    c.add_argument("--lock-wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for a running crawl of the same archive (default 0: skip, exit 3)")  # fmt: skip
    c.add_argument("--log-level", default="ERROR", help="Scrapy log level (default ERROR; INFO for details)")
    c.add_argument("--log-file", help="write the Scrapy log to this file")
    c.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy/sportnews setting")
    from crawler.distributed.commands import add_crawl_options
    from crawler.distributed.commands import add_parsers as add_distributed_parsers

    add_crawl_options(c)
    c.set_defaults(func=cmd_crawl)

    o = sub.add_parser("outlets", help="list the outlet registry")
    o.add_argument("--outlets", metavar="FILE", help="list the outlets of this TOML file too")
    o.add_argument("--format", choices=("table", "json"), default="table")
    o.set_defaults(func=cmd_outlets)

    q = sub.add_parser("query", help="run SQL on the archive (read-only)")
    q.add_argument("sql")
    db_arg(q)
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    lock_arg(q)
    q.set_defaults(func=cmd_query)

    e = sub.add_parser("export", help="export articles to parquet, csv, jsonl or txt files")
    e.add_argument("--format", choices=("parquet", "csv", "jsonl", "txt", "parquet-partitioned"), required=True,
                   help="parquet-partitioned: a folder of outlet=KEY/date=YYYY-MM-DD/*.parquet")  # fmt: skip
    e.add_argument("--out", required=True, help="output file (a folder for txt)")
    e.add_argument("--outlet", action="append", metavar="KEY", help="only this outlet (repeatable)")
    e.add_argument("--since", metavar="DATE", help="only articles published on or after this date (YYYY-MM-DD)")
    db_arg(e)
    lock_arg(e)
    e.set_defaults(func=cmd_export)

    x = sub.add_parser("extract", help="extract one saved page and print it as JSON")
    x.add_argument("file", help="saved page, plain or gzipped HTML")
    x.add_argument("--url", help="the URL the page was saved from (helps dates and canonical URLs)")
    x.add_argument("--outlet", default="file", help="outlet key to report")
    x.add_argument("--content-type", help="Content-Type the page was served with (charset)")
    x.set_defaults(func=cmd_extract)

    d = sub.add_parser("demo", help="crawl the recorded sample outlets offline and show example queries")
    d.add_argument("--fixtures", default="tests/fixtures/sites", help="folder of recorded sample outlets")
    d.add_argument("--db", default="data/demo.duckdb", help="demo archive (default data/demo.duckdb)")
    d.set_defaults(func=cmd_demo)

    from crawler.commands import canary, compact, health, report, schedule

    for command in (schedule, health, canary, report, compact):
        command.add_parser(sub)
    from crawler.commands import enrich as enrich_command
    from crawler.commands import evaluate as evaluate_command
    from crawler.commands import reprocess as reprocess_command
    from crawler.commands import search as search_command

    for command in (enrich_command, search_command, evaluate_command, reprocess_command):
        command.add_parser(sub)
    add_distributed_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    if hasattr(signal, "SIGPIPE"):  # `sportnews query ... | head` ends quietly, like any Unix tool
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
