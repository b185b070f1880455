"""The offline demo: serve the recorded sample outlets on 127.0.0.1, crawl them, show queries."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

DEMO_PORT = 18180

DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    ("Articles per outlet and language",
     "SELECT outlet, language, count(*) AS articles FROM articles GROUP BY ALL ORDER BY outlet, language"),
    ("The latest headlines",
     "SELECT strftime(published_at, '%Y-%m-%d %H:%M') AS published, outlet, title FROM articles "
     "ORDER BY published_at DESC NULLS LAST LIMIT 8"),
    ("Who wrote first about Allegri?",
     "SELECT strftime(published_at, '%Y-%m-%d %H:%M') AS published, outlet, title FROM articles "
     "WHERE text ILIKE '%Allegri%' ORDER BY published_at LIMIT 5"),
    ("Articles mentioning Napoli, per outlet and day",
     "SELECT outlet, published_at::DATE AS day, count(*) AS articles FROM articles "
     "WHERE text ILIKE '%Napoli%' GROUP BY ALL ORDER BY day, outlet"),
    ("Most mentioned clubs",
     "SELECT e.name, count(DISTINCT ae.article_id) AS articles FROM article_entities ae "
     "JOIN entities e USING (entity_id) WHERE e.kind = 'club' GROUP BY ALL ORDER BY articles DESC, e.name LIMIT 5"),
    ("Copies linked across outlets",
     "SELECT a.outlet, a.title, b.outlet AS first_published_by FROM articles a "
     "JOIN articles b ON a.duplicate_of = b.article_id"),
    ("What did not become an article, and why",
     "SELECT 'duplicate' AS outcome, kind AS why, url FROM duplicates "
     "UNION ALL SELECT 'reject', reason, url FROM rejects ORDER BY outcome, why"),
)  # fmt: skip


def run_demo(args: argparse.Namespace) -> int:
    """Serve ``args.fixtures``, crawl it into ``args.db``, print the example queries' answers."""
    from crawler.cli import EXIT_OK, _console, _fail, crawl_settings, print_rows, print_summary, run_crawl
    from crawler.fixture_server import FixtureSites
    from storage.connection import opened

    fixtures = Path(args.fixtures)
    if not (fixtures / "manifest.json").exists():
        return _fail(f"no recorded sample outlets in {fixtures} (run the demo from the repository root)", 2)
    console = _console()
    # A fixed port keeps the demo outlets' URLs the same from run to run, so a second demo run
    # shows the crawl being incremental (nothing new) instead of storing everything again.
    with FixtureSites(fixtures, port=DEMO_PORT) as sites, tempfile.TemporaryDirectory() as tmp:
        outlets_file = sites.write_outlets_toml(Path(tmp) / "outlets.toml")
        console.print(f"Serving {len(list(sites))} sample outlets on loopback: "
                      + ", ".join(f"{k} {sites.base(k)}" for k in sites))  # fmt: skip
        ns = argparse.Namespace(
            log_level="ERROR", log_file=None, set=["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False"]
        )
        stats = run_crawl(crawl_settings(ns), None, str(outlets_file), args.db, 3650, None)
    print_summary(stats)
    from crawler.commands.enrich import enrich_after_crawl

    enrich_after_crawl(args.db, lock_timeout=30.0)  # clubs, cited sources, stories, as a crawl does
    with opened(args.db, read_only=True) as con:
        for title, sql in DEMO_QUERIES:
            console.print(f'\n[bold]{title}[/]\n[dim]sportnews query --db {args.db} "{sql}"[/]')
            cur = con.execute(sql)
            print_rows([d[0] for d in cur.description], cur.fetchall(), "table")
    return EXIT_OK
