"""Read queries behind ``sportnews health`` and ``sportnews report``: per-outlet windows and plot series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from storage.sql import one


@dataclass(frozen=True)
class OutletWindow:
    """One outlet's record over a time window, and over the baseline before it."""

    outlet: str
    runs: int
    """Crawl runs of the outlet that started inside the window."""
    unreachable_runs: int
    """Of those, runs where every source failed."""
    sources: int
    """Feed, sitemap, robots and listing requests of those runs."""
    errors: int
    """Of those, requests that failed."""
    fetched: int
    """Article pages downloaded by those runs."""
    rejects: int
    """Article URLs rejected by those runs (404, no_text, ...)."""
    articles: int
    """Articles first stored inside the window."""
    dated: int
    """Of those, articles with a publication time."""
    long_text: int
    """Of those, articles whose text has at least the minimum length asked."""
    exact_duplicates: int
    """Pages seen inside the window whose text repeats an earlier article of the same outlet."""
    baseline_articles: int
    """Articles first stored in the baseline period before the window."""
    baseline_days: float
    """Days of that baseline the outlet was crawled (from its first run on): the usual rate's denominator."""
    last_success: datetime | None
    """When the outlet last yielded a new article (first_seen_at), up to the window's end."""


def outlet_windows(
    con: duckdb.DuckDBPyConnection, start: datetime, end: datetime, baseline_start: datetime, min_text_chars: int
) -> list[OutletWindow]:
    """Per outlet crawled inside [start, end): its runs, articles and the baseline [baseline_start, start)."""
    rows = con.execute(
        """
        WITH runs AS (
            SELECT o.outlet, count(*) AS runs,
                   count(*) FILTER (WHERE o.status = 'unreachable') AS unreachable_runs,
                   sum(coalesce(o.sources, 0)) AS sources, sum(o.errors) AS errors,
                   sum(o.fetched) AS fetched, sum(o.rejects) AS rejects
            FROM crawl_run_outlets o JOIN crawl_runs r USING (run_id)
            WHERE r.started_at >= $start AND r.started_at < $end
            GROUP BY o.outlet
        ), first_runs AS (  -- since when the outlet is in the archive: its first run or first article
            SELECT outlet, min(t) AS first_run FROM (
                SELECT o.outlet, r.started_at AS t FROM crawl_run_outlets o JOIN crawl_runs r USING (run_id)
                UNION ALL SELECT outlet, first_seen_at FROM articles
            ) GROUP BY outlet
        ), arts AS (
            SELECT outlet,
                   count(*) FILTER (WHERE first_seen_at >= $start AND first_seen_at < $end) AS articles,
                   count(*) FILTER (WHERE first_seen_at >= $start AND first_seen_at < $end
                                    AND published_at IS NOT NULL) AS dated,
                   count(*) FILTER (WHERE first_seen_at >= $start AND first_seen_at < $end
                                    AND length(text) >= $min_chars) AS long_text,
                   count(*) FILTER (WHERE first_seen_at >= $base AND first_seen_at < $start) AS baseline_articles,
                   max(first_seen_at) FILTER (WHERE first_seen_at < $end) AS last_success
            FROM articles GROUP BY outlet
        ), dups AS (
            SELECT outlet, count(*) AS exact_duplicates FROM duplicates
            WHERE kind = 'exact' AND seen_at >= $start AND seen_at < $end GROUP BY outlet
        )
        SELECT runs.outlet, runs.runs, runs.unreachable_runs, runs.sources, runs.errors, runs.fetched, runs.rejects,
               coalesce(arts.articles, 0), coalesce(arts.dated, 0), coalesce(arts.long_text, 0),
               coalesce(dups.exact_duplicates, 0), coalesce(arts.baseline_articles, 0),
               greatest(epoch($start) - epoch(greatest($base, first_runs.first_run)), 0) / 86400.0,
               arts.last_success
        FROM runs
        LEFT JOIN first_runs USING (outlet) LEFT JOIN arts USING (outlet) LEFT JOIN dups USING (outlet)
        ORDER BY runs.outlet
        """,
        {"start": start, "end": end, "base": baseline_start, "min_chars": min_text_chars},
    ).fetchall()
    return [OutletWindow(*(r[:12]), float(r[12]), r[13]) for r in rows]


def last_run(con: duckdb.DuckDBPyConnection) -> tuple[str, datetime, datetime | None, str] | None:
    """(run_id, started_at, finished_at, status) of the latest crawl run, None for an archive never crawled."""
    row = one(con, "SELECT run_id, started_at, finished_at, status FROM crawl_runs ORDER BY started_at DESC LIMIT 1")
    return (row[0], row[1], row[2], row[3]) if row else None


# -- report series ---------------------------------------------------------------------------------
def articles_per_outlet_day(con: duckdb.DuckDBPyConnection, since: date) -> list[tuple[str, date, int]]:
    """(outlet, day, articles) by publication day (the day first seen when undated), Europe/Rome days."""
    return con.execute(
        "SELECT outlet, CAST(coalesce(published_at, first_seen_at) AS DATE) AS day, count(*) FROM articles "
        "WHERE CAST(coalesce(published_at, first_seen_at) AS DATE) >= ? GROUP BY ALL ORDER BY outlet, day",
        [since],
    ).fetchall()


def hour_by_weekday(con: duckdb.DuckDBPyConnection, since: date) -> list[tuple[int, int, int]]:
    """(ISO weekday 1-7, hour 0-23, articles) of dated articles, in Europe/Rome time."""
    return con.execute(
        "SELECT isodow(published_at), hour(published_at), count(*) FROM articles "
        "WHERE published_at IS NOT NULL AND CAST(published_at AS DATE) >= ? GROUP BY ALL ORDER BY 1, 2",
        [since],
    ).fetchall()


def language_share(con: duckdb.DuckDBPyConnection, since: date) -> list[tuple[str, str, int]]:
    """(outlet, language or '?', articles)."""
    return con.execute(
        "SELECT outlet, coalesce(language, '?'), count(*) FROM articles "
        "WHERE CAST(coalesce(published_at, first_seen_at) AS DATE) >= ? GROUP BY ALL ORDER BY 1, 3 DESC",
        [since],
    ).fetchall()


def duplicate_share(con: duckdb.DuckDBPyConnection, since: date) -> list[tuple[str, int, int, int]]:
    """(outlet, original articles, copies of another outlet's article, URLs that were duplicates of its own)."""
    return con.execute(
        """
        WITH a AS (
            SELECT outlet, count(*) FILTER (WHERE duplicate_of IS NULL) AS originals,
                   count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS copies
            FROM articles WHERE CAST(coalesce(published_at, first_seen_at) AS DATE) >= $since GROUP BY outlet
        ), d AS (
            SELECT outlet, count(*) AS dups FROM duplicates WHERE CAST(seen_at AS DATE) >= $since GROUP BY outlet
        )
        SELECT outlet, coalesce(originals, 0), coalesce(copies, 0), coalesce(dups, 0)
        FROM a FULL OUTER JOIN d USING (outlet) ORDER BY outlet
        """,
        {"since": since},
    ).fetchall()


def recent_titles(con: duckdb.DuckDBPyConnection, since: datetime) -> list[str]:
    """Titles of the articles published (or, undated, first seen) since ``since``."""
    return [
        r[0]
        for r in con.execute(
            "SELECT title FROM articles WHERE title IS NOT NULL AND coalesce(published_at, first_seen_at) >= ?",
            [since],
        ).fetchall()
    ]


def archive_totals(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Headline numbers: articles, outlets, first and last publication, runs."""
    articles, outlets, first, last = one(
        con, "SELECT count(*), count(DISTINCT outlet), min(published_at), max(published_at) FROM articles"
    ) or (0, 0, None, None)
    runs = one(con, "SELECT count(*) FROM crawl_runs")
    return {"articles": articles, "outlets": outlets, "first": first, "last": last, "runs": runs[0] if runs else 0}
