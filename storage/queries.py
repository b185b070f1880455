"""Named read queries over the archive, with bound parameters only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True)
class KnownArticle:
    """An article already in the archive, as the crawler needs to know it."""

    article_id: str
    outlet: str
    url: str
    canonical_url: str
    url_key: str
    changed_at: datetime | None
    """The latest of modified_at and updated_at: a feed date after it means the article changed."""


@dataclass(frozen=True)
class KnownText:
    """An article's text fingerprint, for exact-duplicate detection across runs."""

    article_id: str
    outlet: str
    url: str
    content_hash: str
    published_at: datetime | None
    first_seen_at: datetime


def known_articles(con: duckdb.DuckDBPyConnection, outlets: Sequence[str],
                   chunk_rows: int = 4096) -> Iterator[KnownArticle]:  # fmt: skip
    """Articles of these outlets: what an incremental crawl must not fetch again. Streamed, so that
    the whole archive's rows are never held at once."""
    if not outlets:
        return
    result = con.execute(
        "SELECT article_id, outlet, url, canonical_url, url_key, greatest(modified_at, updated_at) "
        "FROM articles WHERE outlet IN (SELECT unnest(?))",
        [list(outlets)],
    )
    while rows := result.fetchmany(chunk_rows):
        yield from (KnownArticle(*r) for r in rows)


def settled_urls(con: duckdb.DuckDBPyConnection, outlets: Sequence[str],
                 chunk_rows: int = 4096) -> Iterator[tuple[str, str]]:  # fmt: skip
    """URLs of these outlets that ended as a duplicate or a reject, with the reason (``duplicate`` or
    the reject reason), so the crawler can decide whether to try them again: the rejects first, then
    the duplicates (a URL that is both is a duplicate). Streamed."""
    if not outlets:
        return
    for sql in (
        "SELECT url, reason FROM rejects WHERE outlet IN (SELECT unnest(?)) AND stage = 'article'",
        "SELECT url, 'duplicate' FROM duplicates WHERE outlet IN (SELECT unnest(?))",
    ):
        result = con.execute(sql, [list(outlets)])
        while rows := result.fetchmany(chunk_rows):
            yield from rows


def known_texts(con: duckdb.DuckDBPyConnection, since: datetime) -> list[KnownText]:
    """Fingerprints of the articles first seen since ``since``: the exact-duplicate window.

    Only originals are returned (articles that are not themselves linked to an earlier copy),
    so a new copy always links to the first one.
    """
    rows = con.execute(
        "SELECT article_id, outlet, url, content_hash, published_at, first_seen_at FROM articles "
        "WHERE first_seen_at >= ? AND duplicate_of IS NULL",
        [since],
    ).fetchall()
    return [KnownText(*r) for r in rows]
