"""Enrichment of stored articles: clubs, cited sources and stories, run apart from the crawl."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.citations import find_citations
from pipeline.entities import Gazetteer, entity_rows, load_gazetteer, tag_article
from pipeline.stories import MAX_SPAN, WINDOW, StoryArticle, StoryGrouper, lead_of
from storage.connection import DEFAULT_LOCK_TIMEOUT, opened

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
"""Articles read, tagged and written per transaction. Tagging 500 articles takes about a second,
so the archive is free for other processes most of the time; larger batches gain little."""
STORY_KINDS = frozenset({"club", "national"})
"""Entities that tell stories apart; competitions ("Serie A") are in too many articles."""
LEAD_CHARS = 1500
"""Characters of text read for a story's lead: more than ``stories.LEAD_WORDS`` words need."""


@dataclass
class EnrichCounts:
    """What one enrichment run did."""

    articles: int = 0
    """articles tagged"""
    entities: int = 0
    """article_entities rows written"""
    citations: int = 0
    """article_citations rows written"""
    new_stories: int = 0
    """stories started by this run"""
    grouped: int = 0
    """articles that joined a story with other articles"""
    stale: int = 0
    """articles tagged with an older gazetteer (``sportnews enrich --all`` re-tags them)"""
    fts: str = "skipped"
    """'built', 'skipped' or why the full-text index could not be built"""


def _since_value(since: date | datetime | str | None) -> datetime | None:
    if since is None or isinstance(since, datetime):
        return since
    if isinstance(since, date):
        return datetime(since.year, since.month, since.day, tzinfo=UTC)
    parsed = datetime.fromisoformat(since)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def enrich_archive(
    db_path: str | Path,
    since: date | datetime | str | None = None,
    only_new: bool = True,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    batch_size: int = BATCH_SIZE,
    gazetteer: Gazetteer | None = None,
    fts: bool = True,
) -> EnrichCounts:
    """Tag the archive's articles with entities, citations and stories.

    Args:
        db_path: the archive.
        since: only articles published (or, undated, first seen) at or after this instant.
        only_new: True tags articles never tagged or changed since; False re-tags every selected
            article and regroups their stories (after a gazetteer change).
        lock_timeout: seconds to wait for a crawl holding the archive.
        batch_size: articles per transaction.
        gazetteer: the gazetteer to use (default: the shipped one).
        fts: rebuild the full-text index afterwards when anything changed and the fts extension loads.

    Returns:
        What was done. Each batch is one transaction: an interrupted run keeps the batches done.
    """
    gaz = gazetteer or load_gazetteer()
    since_at = _since_value(since)
    counts = EnrichCounts()
    period = "coalesce(published_at, first_seen_at)"
    with opened(db_path, lock_timeout=lock_timeout) as con:
        rows = entity_rows(gaz)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT OR REPLACE INTO entities (entity_id, name, kind, country) "
                "SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], [], []],
            )
            if not only_new:
                _reset(con, since_at)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        todo = con.execute(
            f"SELECT article_id FROM articles WHERE (enriched_at IS NULL OR updated_at > enriched_at)"
            f"{f' AND {period} >= ?' if since_at else ''} ORDER BY {period}, first_seen_at, article_id",
            [since_at] if since_at else [],
        ).fetchall()
    ids = [r[0] for r in todo]
    grouper = StoryGrouper()
    for start in range(0, len(ids), batch_size):
        _enrich_batch(db_path, ids[start : start + batch_size], gaz, grouper, counts, lock_timeout)
    with opened(db_path, lock_timeout=lock_timeout) as con:
        stale = con.execute(
            "SELECT count(*) FROM articles WHERE enriched_with IS DISTINCT FROM ?", [gaz.digest]
        ).fetchone()
        counts.stale = int(stale[0]) if stale else 0
        if fts and counts.articles:
            from storage.fts import build_index

            try:
                reason = build_index(con)
            except Exception as exc:  # the index is a convenience: never lose the enrichment for it
                logger.warning("full-text index not built: %s", exc)
                reason = str(exc)
            counts.fts = "built" if reason is None else reason
    logger.info(
        "enriched %s articles: %s entity rows, %s citations, %s new stories", counts.articles, counts.entities,
        counts.citations, counts.new_stories,
    )  # fmt: skip
    return counts


def _reset(con: Any, since_at: datetime | None) -> None:
    """Forget the enrichment of the selected articles so the run redoes it."""
    period = "coalesce(published_at, first_seen_at)"
    selected = f"SELECT article_id FROM articles{f' WHERE {period} >= ?' if since_at else ''}"
    params = [since_at] if since_at else []
    con.execute(f"DELETE FROM article_entities WHERE article_id IN ({selected})", params)
    con.execute(f"DELETE FROM article_citations WHERE article_id IN ({selected})", params)
    touched = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT story_id FROM articles WHERE story_id IS NOT NULL AND article_id IN ({selected})", params
        ).fetchall()
    ]
    con.execute(
        f"UPDATE articles SET story_id = NULL, enriched_at = NULL, enriched_with = NULL "
        f"WHERE article_id IN ({selected})",
        params,
    )
    _refresh_stories(con, touched)


def _refresh_stories(con: Any, story_ids: Sequence[str]) -> None:
    """Recompute the ``stories`` rows of these stories from their articles (dropping empty ones)."""
    if not story_ids:
        return
    ids = list(story_ids)
    con.execute("DELETE FROM stories WHERE story_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    order = "(coalesce(published_at, first_seen_at), first_seen_at, article_id)"
    con.execute(
        "INSERT INTO stories (story_id, first_article_id, first_outlet, first_published_at, last_published_at, "
        "title, articles, outlets) "
        f"SELECT story_id, arg_min(article_id, {order}), arg_min(outlet, {order}), "
        "min(coalesce(published_at, first_seen_at)), max(coalesce(published_at, first_seen_at)), "
        f"arg_min(title, {order}), count(*), count(DISTINCT outlet) "
        "FROM articles WHERE story_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY story_id",
        [ids],
    )


def _enrich_batch(
    db_path: str | Path, ids: Sequence[str], gaz: Gazetteer, grouper: StoryGrouper, counts: EnrichCounts,
    lock_timeout: float,
) -> None:  # fmt: skip
    """Read, tag and write one batch; the archive is held only while reading and while writing."""
    with opened(db_path, lock_timeout=lock_timeout) as con:
        rows = con.execute(
            "SELECT a.article_id, a.outlet, a.title, a.text, a.description, "
            "coalesce(a.published_at, a.first_seen_at), a.duplicate_of, a.story_id, o.story_id "
            "FROM articles a LEFT JOIN articles o ON o.article_id = a.duplicate_of "
            "WHERE a.article_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(ids)],
        ).fetchall()
        rows.sort(key=lambda r: (r[5], r[0]))
        times = [r[5] for r in rows if r[7] is None]
        if times:
            _seed(con, grouper, min(times) - MAX_SPAN, max(times) + WINDOW, gaz)
    ent_rows: list[tuple[str, str, str, int, bool]] = []
    cit_rows: list[tuple[str, str | None, str, bool]] = []
    story_of: dict[str, str] = {}
    touched: set[str] = set()
    for article_id, outlet, title, text, description, at, duplicate_of, story_id, original_story in rows:
        tags = tag_article(title, text, gaz)
        ent_rows += [(article_id, t.entity_id, t.kind, t.mentions, t.in_title) for t in tags]
        doc = f"{title or ''}\n\n{text or ''}"
        for c in find_citations(doc, gaz, self_outlet=outlet):
            registry = bool(c.outlet and gaz.entities[c.outlet].registry)
            cit_rows.append((article_id, c.outlet, c.cited_text, registry))
        if story_id is not None:
            touched.add(story_id)
            continue
        if original_story is not None and duplicate_of not in grouper.story_of:
            grouper.link(duplicate_of, original_story, at)  # the copy follows its original's story
        sa = StoryArticle(
            article_id, outlet, at, title or "", lead_of(text, description),
            frozenset(t.entity_id for t in tags if t.kind in STORY_KINDS), duplicate_of,
        )  # fmt: skip
        before = len(grouper.stories)
        sid = grouper.assign(sa)
        counts.new_stories += len(grouper.stories) - before
        story_of[article_id] = sid
        touched.add(sid)
    counts.grouped += sum(1 for sid in story_of.values() if len(grouper.stories[sid].members) > 1)
    now = datetime.now(UTC)
    with opened(db_path, lock_timeout=lock_timeout) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            batch = [r[0] for r in rows]
            con.execute("DELETE FROM article_entities WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [batch])
            con.execute("DELETE FROM article_citations WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [batch])
            if ent_rows:
                con.execute(
                    "INSERT INTO article_entities SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                    "unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::BOOLEAN[])",
                    [list(c) for c in zip(*ent_rows, strict=True)],
                )
            if cit_rows:
                con.execute(
                    "INSERT INTO article_citations SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                    "unnest(?::VARCHAR[]), unnest(?::BOOLEAN[])",
                    [list(c) for c in zip(*cit_rows, strict=True)],
                )
            if story_of:
                con.execute(
                    "UPDATE articles SET story_id = s.story_id FROM (SELECT unnest(?::VARCHAR[]) AS article_id, "
                    "unnest(?::VARCHAR[]) AS story_id) s WHERE articles.article_id = s.article_id",
                    [list(story_of), list(story_of.values())],
                )
            con.execute(
                "UPDATE articles SET enriched_at = ?, enriched_with = ? "
                "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [now, gaz.digest, batch],
            )
            _refresh_stories(con, sorted(touched))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    counts.articles += len(rows)
    counts.entities += len(ent_rows)
    counts.citations += len(cit_rows)
    if rows:
        grouper.forget_before(rows[0][5] - MAX_SPAN - WINDOW)


def _seed(con: Any, grouper: StoryGrouper, start: datetime, end: datetime, gaz: Gazetteer) -> None:
    """Load the archive's stories around [start, end] into the grouper, so new articles can join them."""
    rows = con.execute(
        f"SELECT a.story_id, a.article_id, a.outlet, coalesce(a.published_at, a.first_seen_at) AS at, a.title, "
        f"a.description, substr(a.text, 1, {LEAD_CHARS}), a.duplicate_of, "
        "(SELECT list(e.entity_id) FROM article_entities e WHERE e.article_id = a.article_id "
        "AND e.kind IN ('club', 'national')) "
        "FROM articles a WHERE a.story_id IS NOT NULL AND coalesce(a.published_at, a.first_seen_at) BETWEEN ? AND ?",
        [start, end],
    ).fetchall()
    by_story: dict[str, list[StoryArticle]] = {}
    for story_id, article_id, outlet, at, title, description, lead, duplicate_of, ents in rows:
        if article_id in grouper.story_of:
            continue
        by_story.setdefault(story_id, []).append(
            StoryArticle(
                article_id, outlet, at, title or "", lead_of(lead, description), frozenset(ents or ()), duplicate_of
            )
        )
    for story_id, members in by_story.items():
        grouper.seed(story_id, members)
    if by_story:
        logger.debug("seeded %s stories (%s articles) from the archive", len(by_story), len(rows))


def since_days(days: float) -> datetime:
    """The instant ``days`` ago, for ``--since DAYS`` style arguments."""
    return datetime.now(UTC) - timedelta(days=days)
