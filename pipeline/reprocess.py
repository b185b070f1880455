"""Re-extraction of stored articles from the raw HTML kept in ``pages``, updating the rows in place."""

from __future__ import annotations

import logging
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from storage import page_codec
from storage.connection import DEFAULT_LOCK_TIMEOUT, opened

from .items import Discovery, ExtractedArticle, FetchedPage
from .worker import init_worker, process_page

logger = logging.getLogger(__name__)

# Articles re-extracted per batch: the archive is opened to read a batch's pages, closed while
# the pool extracts them (about 40 ms of CPU a page), and opened again to write the changes in one
# transaction. 200 is the crawl's own batch size (SPORTNEWS_BATCH_SIZE): writes stay well under a
# second, so crawls and readers get in between batches.
BATCH_SIZE = 200

UPDATED_COLUMNS = (
    "title", "authors", "published_at", "published_raw", "published_source", "modified_at", "section", "tags",
    "description", "image", "text", "language", "language_prob", "word_count", "content_hash", "page_kind",
)  # fmt: skip
"""Columns a re-extraction may change. The URL columns and ``article_id`` stay: the same article
keeps its id, and links to it (duplicates, stories, citations) stay valid."""

# article_id and what the extraction needs, in a stable order so batches can be resumed by id.
_SELECT_IDS = (
    "SELECT a.article_id FROM articles a JOIN pages p USING (article_id) "
    "WHERE (? IS NULL OR a.outlet = ?) AND (? IS NULL OR coalesce(a.published_at, a.first_seen_at) >= ?) "
    "ORDER BY a.article_id"
)
_SELECT_BATCH = (
    "SELECT a.article_id, a.outlet, p.url, p.html_compressed, p.content_type, p.http_status, p.fetched_at, "
    "a.discovered_via, a.discovered_from, a.published_at, a.published_raw, a.published_source, "
    f"{', '.join('a.' + c for c in UPDATED_COLUMNS)} "
    "FROM articles a JOIN pages p USING (article_id) WHERE a.article_id IN (SELECT unnest(?))"
)


@dataclass
class ReprocessCounts:
    """What a re-extraction did to the archive."""

    articles: int = 0
    """Articles whose raw page was re-extracted."""
    changed: int = 0
    """Rows updated (at least one column of UPDATED_COLUMNS differs)."""
    unchanged: int = 0
    rejected: int = 0
    """Pages the extractor now turns down (no_text, not_article...), and stored pages that cannot be
    decompressed (``damaged_page``): their rows are left as they were."""
    fields: Counter[str] = field(default_factory=Counter)
    """How many rows changed in each column."""
    reject_reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    """A few "article_id url: columns" lines, for the report."""


def _since(value: str | date | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def select_ids(db: Path | str, outlet: str | None = None, since: str | date | None = None,
               lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> list[str]:  # fmt: skip
    """Ids of the stored articles with a raw page, of ``outlet`` and published on or after ``since``.

    Raises ValueError for a ``since`` that is not a YYYY-MM-DD date.
    """
    start = _since(since)
    with opened(db, read_only=True, lock_timeout=lock_timeout) as con:
        rows = con.execute(_SELECT_IDS, [outlet, outlet, start, start]).fetchall()
    return [r[0] for r in rows]


def _page(row: dict[str, Any]) -> FetchedPage:
    """The FetchedPage as the crawl had it: the raw body, the fetch time, how it was found.

    A publication time that came from the feed or sitemap is handed back as the discovery date, so
    a page without a date of its own keeps it (the feed itself is not stored).
    """
    fetched = row["fetched_at"]
    feed_date = None
    if row["published_source"] in ("feed", "sitemap") and row["published_at"] is not None:
        feed_date = row["published_at"].isoformat()
    return FetchedPage(
        outlet=row["outlet"],
        url=row["url"],
        body=page_codec.decompress(row["html_compressed"]),
        content_type=row["content_type"] or "",
        http_status=row["http_status"] or 200,
        fetched_at=fetched.astimezone(UTC).isoformat() if isinstance(fetched, datetime) else str(fetched),
        discovery=Discovery(
            via=row["discovered_via"] or "listing",
            source_url=row["discovered_from"] or row["url"],
            date=feed_date,
            date_raw=row["published_raw"] if feed_date else None,
        ),
    )


def _instant(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def new_values(article: ExtractedArticle) -> dict[str, Any]:
    """UPDATED_COLUMNS of an extraction, typed as DuckDB gives them back (instants, lists)."""
    values = {c: getattr(article, c) for c in UPDATED_COLUMNS}
    values["published_at"] = _instant(values["published_at"])
    values["modified_at"] = _instant(values["modified_at"])
    values["authors"] = list(values["authors"] or [])
    values["tags"] = list(values["tags"] or [])
    return values


def changed_columns(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The columns whose value differs; instants compare as instants, None equals an empty list."""
    out = []
    for c in UPDATED_COLUMNS:
        a, b = old.get(c), new.get(c)
        if c in ("authors", "tags"):
            a, b = list(a or []), list(b or [])
        if c == "language_prob" and a is not None and b is not None:
            a, b = round(float(a), 4), round(float(b), 4)
        if a != b:
            out.append(c)
    return out


def _batches(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def reprocess_archive(
    db: Path | str,
    outlet: str | None = None,
    since: str | date | None = None,
    *,
    workers: int = 0,
    batch_size: int = BATCH_SIZE,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    executor: Executor | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> ReprocessCounts:
    """Re-run extraction over the stored raw pages and update the changed rows in place.

    Args:
        db: the archive.
        outlet: only this outlet's articles.
        since: only articles published (or, undated, first stored) on or after this day.
        workers: extraction processes (0: one per core). Ignored when ``executor`` is given.
        batch_size: articles per read / extract / write cycle.
        lock_timeout: seconds to wait for a crawl that holds the archive.
        executor: an executor to extract with (tests pass a thread pool to stay in one process).
        on_batch: called after each batch with (articles done, total), for a progress bar.

    Returns:
        The counts; the article ids never change, and pages that the extractor now rejects keep
        their stored row.
    """
    from .pool import default_workers

    ids = select_ids(db, outlet, since, lock_timeout)
    counts = ReprocessCounts()
    if not ids:
        return counts
    own = executor is None
    if executor is None:
        ctx = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(max_workers=workers or default_workers(), mp_context=ctx,
                                       initializer=init_worker)  # fmt: skip
    try:
        for batch in _batches(ids, batch_size):
            _one_batch(db, batch, executor, counts, lock_timeout)
            if on_batch:
                on_batch(counts.articles, len(ids))
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    logger.info("reprocessed %d articles: %d changed, %d unchanged, %d now rejected", counts.articles,
                counts.changed, counts.unchanged, counts.rejected)  # fmt: skip
    return counts


def _one_batch(db: Path | str, ids: list[str], executor: Executor, counts: ReprocessCounts,
               lock_timeout: float) -> None:  # fmt: skip
    with opened(db, read_only=True, lock_timeout=lock_timeout) as con:
        cursor = con.execute(_SELECT_BATCH, [ids])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    pages: list[tuple[dict[str, Any], FetchedPage]] = []
    for row in rows:
        try:
            pages.append((row, _page(row)))
        except page_codec.PageCodecError as exc:  # one damaged page must not stop the others
            counts.articles += 1
            counts.rejected += 1
            counts.reject_reasons["damaged_page"] += 1
            logger.warning("the stored page of %s cannot be read, row kept: %s", row["url"], exc)
    # The archive is closed while the pool works: a crawl can write in the meantime.
    results = list(executor.map(process_page, [page for _, page in pages]))
    updates: list[tuple[str, dict[str, Any]]] = []
    for (row, _), result in zip(pages, results, strict=True):
        counts.articles += 1
        if not isinstance(result, ExtractedArticle):
            counts.rejected += 1
            counts.reject_reasons[result.reason] += 1
            logger.info("re-extraction of %s gives %s (%s): row kept", row["url"], result.reason, result.detail)
            continue
        new = new_values(result)
        diff = changed_columns(row, new)
        if not diff:
            counts.unchanged += 1
            continue
        counts.changed += 1
        counts.fields.update(diff)
        if len(counts.examples) < 10:
            counts.examples.append(f"{row['article_id']} {row['url']}: {', '.join(diff)}")
        updates.append((row["article_id"], {c: new[c] for c in diff}))
    if not updates:
        return
    now = datetime.now(UTC)
    with opened(db, lock_timeout=lock_timeout) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for article_id, values in updates:
                columns = [*values, "updated_at"]  # our own column names, never user input
                con.execute(
                    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)} WHERE article_id = ?",
                    [*values.values(), now, article_id],
                )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
