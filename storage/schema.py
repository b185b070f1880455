"""The archive's tables, and the migrations that bring any older archive file up to date."""

from __future__ import annotations

import logging
from collections.abc import Callable

import duckdb

logger = logging.getLogger(__name__)


_V1 = [
    """
    CREATE TABLE IF NOT EXISTS schema_info (
        version INTEGER NOT NULL,
        migrated_at TIMESTAMPTZ NOT NULL
    )""",
    # One row per article. Text columns are NULL rather than '' when the page did not say.
    """
    CREATE TABLE IF NOT EXISTS articles (
        article_id VARCHAR PRIMARY KEY,      -- 16 hex chars of sha1(url_key): stable across runs
        outlet VARCHAR NOT NULL,             -- registry key
        url VARCHAR NOT NULL,                -- the URL fetched
        canonical_url VARCHAR NOT NULL,      -- rel=canonical / og:url when on the same site, else cleaned url
        url_key VARCHAR NOT NULL,            -- normalized canonical URL (scheme, www/m/amp, tracking folded)
        title VARCHAR,
        authors VARCHAR[],
        published_at TIMESTAMPTZ,            -- the instant; published_raw keeps the offset as written
        published_raw VARCHAR,
        published_source VARCHAR,            -- json-ld | meta | page | url | feed | sitemap
        modified_at TIMESTAMPTZ,
        section VARCHAR,
        tags VARCHAR[],
        description VARCHAR,
        image VARCHAR,
        text VARCHAR NOT NULL,               -- paragraphs separated by newlines
        language VARCHAR,                    -- ISO 639-1 from langdetect
        language_prob DOUBLE,
        word_count INTEGER,
        content_hash VARCHAR NOT NULL,       -- sha1 of the normalized text
        page_kind VARCHAR,                   -- article | live | gallery | video | paywalled
        duplicate_of VARCHAR,                -- article_id of the earliest copy on another outlet
        duplicate_kind VARCHAR,              -- exact | near
        similarity DOUBLE,
        discovered_via VARCHAR,              -- feed | sitemap | news-sitemap | listing
        discovered_from VARCHAR,             -- the feed, sitemap or listing URL
        first_seen_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        run_id VARCHAR NOT NULL
    )""",
    # Raw pages apart from articles so analysts' scans of articles stay light.
    """
    CREATE TABLE IF NOT EXISTS pages (
        article_id VARCHAR PRIMARY KEY,
        url VARCHAR NOT NULL,
        fetched_at TIMESTAMPTZ NOT NULL,
        http_status INTEGER,
        content_type VARCHAR,
        html_gz BLOB NOT NULL               -- gzip of the body exactly as served
    )""",
    """
    CREATE TABLE IF NOT EXISTS duplicates (
        url VARCHAR PRIMARY KEY,
        outlet VARCHAR NOT NULL,
        duplicate_of VARCHAR NOT NULL,       -- article_id
        duplicate_of_url VARCHAR,
        kind VARCHAR NOT NULL,               -- url | redirect | exact
        similarity DOUBLE,
        seen_at TIMESTAMPTZ NOT NULL,
        run_id VARCHAR NOT NULL
    )""",
    """
    CREATE TABLE IF NOT EXISTS rejects (
        url VARCHAR PRIMARY KEY,
        outlet VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        detail VARCHAR,
        http_status INTEGER,
        stage VARCHAR NOT NULL,              -- article | source
        attempts INTEGER NOT NULL,
        first_seen_at TIMESTAMPTZ NOT NULL,
        seen_at TIMESTAMPTZ NOT NULL,
        run_id VARCHAR NOT NULL
    )""",
    """
    CREATE TABLE IF NOT EXISTS crawl_runs (
        run_id VARCHAR PRIMARY KEY,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        status VARCHAR NOT NULL,             -- running | finished | interrupted | failed
        outlets VARCHAR[],
        since_days DOUBLE,
        discovered INTEGER DEFAULT 0,
        fetched INTEGER DEFAULT 0,
        stored INTEGER DEFAULT 0,
        duplicates INTEGER DEFAULT 0,
        rejects INTEGER DEFAULT 0,
        errors INTEGER DEFAULT 0
    )""",
    """
    CREATE TABLE IF NOT EXISTS crawl_run_outlets (
        run_id VARCHAR NOT NULL,
        outlet VARCHAR NOT NULL,
        discovered INTEGER DEFAULT 0,        -- article URLs found in feeds, sitemaps, listings
        fetched INTEGER DEFAULT 0,           -- article pages downloaded
        stored INTEGER DEFAULT 0,            -- new or changed articles written
        duplicates INTEGER DEFAULT 0,
        rejects INTEGER DEFAULT 0,
        errors INTEGER DEFAULT 0,            -- feeds, sitemaps, robots.txt or listings that failed
        status VARCHAR,                      -- ok | unreachable | partial | empty
        message VARCHAR,
        PRIMARY KEY (run_id, outlet)
    )""",
    "CREATE INDEX IF NOT EXISTS articles_outlet_published ON articles (outlet, published_at)",
    "CREATE INDEX IF NOT EXISTS articles_content_hash ON articles (content_hash)",
    "CREATE INDEX IF NOT EXISTS articles_url_key ON articles (url_key)",
]

# Per run and outlet, what monitoring needs beyond the counts; and the HTTP validators of every
# feed and sitemap, so an unchanged source costs a 304 instead of a download (issue 6).
_RUN_DETAILS_AND_SOURCES = [
    "ALTER TABLE crawl_run_outlets ADD COLUMN sources INTEGER DEFAULT 0",  # source requests made
    "ALTER TABLE crawl_run_outlets ADD COLUMN sources_unchanged INTEGER DEFAULT 0",  # answered 304
    "ALTER TABLE crawl_run_outlets ADD COLUMN rejects_by_reason JSON",  # {"http_404": 3, "no_text": 1}
    "ALTER TABLE crawl_run_outlets ADD COLUMN errors_by_kind JSON",  # {"dns": 1, "http_500": 2}
    "ALTER TABLE crawl_run_outlets ADD COLUMN bytes BIGINT DEFAULT 0",  # response bodies received
    "ALTER TABLE crawl_run_outlets ADD COLUMN duration_s DOUBLE",  # run start to the outlet's last response
    "ALTER TABLE crawl_runs ADD COLUMN bytes BIGINT DEFAULT 0",
    "ALTER TABLE crawl_runs ADD COLUMN duration_s DOUBLE",
    """
    CREATE TABLE IF NOT EXISTS sources (
        url VARCHAR PRIMARY KEY,             -- feed, sitemap or listing page URL
        outlet VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,               -- feed | sitemap | listing
        etag VARCHAR,                        -- ETag of the last complete read, sent as If-None-Match
        last_modified VARCHAR,               -- Last-Modified of the last complete read, sent as If-Modified-Since
        since_days DOUBLE,                   -- recency window of that read; a wider one reads the source again
        children JSON,                       -- child sitemaps of an index, [[url, lastmod], ...]
        fetched_at TIMESTAMPTZ,              -- last 200 answer
        checked_at TIMESTAMPTZ NOT NULL,     -- last answer, 200 or 304
        run_id VARCHAR
    )""",
]

# The near-duplicate index (pipeline/near_dupes.py, storage/near_index.py) and revision counts.
# No primary keys or indexes on the two index tables: DuckDB keeps ART indexes in memory, and the
# lookups are hash joins of a batch against a scan, which need none.
_NEAR_DUPLICATES = [
    # Versions folded into the record: 1 for an article seen once, +1 for each update or re-post.
    "ALTER TABLE articles ADD COLUMN revisions INTEGER DEFAULT 1",
    """
    CREATE TABLE IF NOT EXISTS minhash_bands (
        band SMALLINT NOT NULL,              -- LSH band number, 0..BANDS-1
        hash BIGINT NOT NULL,                -- hash of the band's MinHash values
        article_id VARCHAR NOT NULL,         -- the record the signed version belongs to
        outlet VARCHAR NOT NULL,
        first_seen_at TIMESTAMPTZ NOT NULL   -- when this version was indexed; rows leave with the window
    )""",
    """
    CREATE TABLE IF NOT EXISTS minhash_signatures (
        article_id VARCHAR NOT NULL,
        outlet VARCHAR NOT NULL,
        root_id VARCHAR,                     -- the earliest copy this one is linked to (NULL: an original)
        content_hash VARCHAR NOT NULL,       -- the version signed (an article has one row per version)
        published_at TIMESTAMPTZ,
        first_seen_at TIMESTAMPTZ NOT NULL,
        signature_version INTEGER NOT NULL,  -- pipeline.near_dupes.SIGNATURE_VERSION
        signature BLOB NOT NULL              -- MinHash values and shingle count, little-endian uint32
    )""",
]

Migration = list[str] | Callable[[duckdb.DuckDBPyConnection], None]

MIGRATIONS: list[tuple[str, Migration]] = [
    ("base tables", _V1),
    ("run details per outlet, source validators", _RUN_DETAILS_AND_SOURCES),
    ("near-duplicate index, revision counts", _NEAR_DUPLICATES),
]
"""Ordered (name, statements) steps; step i brings an archive from version i to version i+1.
Append new steps at the end; never edit or reorder a released one."""

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The archive's schema version; 0 for a new, empty file."""
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'").fetchone()
    if not has or not has[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_info").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Create or upgrade the schema in place, one transaction per version; returns the version.

    An archive newer than this code is refused rather than written with a schema we do not know.
    """
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"archive schema version {version} is newer than this sportnews ({SCHEMA_VERSION}): upgrade sportnews"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        name, step = MIGRATIONS[target - 1]
        con.execute("BEGIN TRANSACTION")
        try:
            if callable(step):
                step(con)
            else:
                for statement in step:
                    con.execute(statement)
            con.execute("INSERT INTO schema_info VALUES (?, now())", [target])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        logger.info("archive schema migrated to version %s (%s)", target, name)
    return SCHEMA_VERSION
