"""The archive's tables, and the migrations that bring any older archive file up to date."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from storage.sql import one

logger = logging.getLogger(__name__)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK that never hides the error that led to it.

    When COMMIT itself fails (disk full, file size limit), DuckDB has already ended the
    transaction; a plain ROLLBACK then raised "cannot rollback - no transaction is active", and
    that message replaced the one saying what went wrong.
    """
    try:
        con.execute("ROLLBACK")
    except duckdb.Error as exc:
        logger.debug("rollback after a failed transaction: %s", exc)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN, then COMMIT, or on any error ``rollback`` and re-raise."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise


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

# Clubs, sources and stories (pipeline/enrich.py fills them; re-run with `sportnews enrich --all`).
# Enrichment reads the articles, never the crawl: these tables can be dropped and rebuilt at any
# time. No indexes: lookups are joins on article_id, which DuckDB does as hash joins.
RUMOUR_PATTERN = (
    "mercato|trattativ|offert|sondagg|obiettiv|rinnov|prestito|riscatt|clausol|cession|acquist|ingaggi"
    "|trasferiment|contatti|visite mediche|accordo|vuole|piace|pista|tentazion|assalto|interess|scambio"
)
"""Transfer-market words, matched on an article's lower-cased title, section, tags and URL: the
stems Italian headlines use for rumours and deals (from the seed article and outlets' mercato
sections). "firma" and "colpo" are left out: "firma il gol", "colpo di testa"."""
_DAY = "coalesce(a.published_at, a.first_seen_at)"
_ENRICHMENT = [
    """
    CREATE TABLE IF NOT EXISTS entities (
        entity_id VARCHAR PRIMARY KEY,      -- gazetteer id (pipeline/data/gazetteer.toml) or outlet key
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,              -- club | national | competition | outlet | journalist
        country VARCHAR                     -- ISO 3166-1 alpha-2, when known
    )""",
    """
    CREATE TABLE IF NOT EXISTS article_entities (
        article_id VARCHAR NOT NULL,
        entity_id VARCHAR NOT NULL,         -- entities.entity_id
        kind VARCHAR NOT NULL,              -- club | national | competition
        mentions INTEGER NOT NULL,          -- times named in title and text, nicknames included
        in_title BOOLEAN NOT NULL
    )""",
    """
    CREATE TABLE IF NOT EXISTS article_citations (
        article_id VARCHAR NOT NULL,
        cited_outlet VARCHAR,               -- outlet key (entities.entity_id); NULL: a name we do not know
        cited_text VARCHAR NOT NULL,        -- the phrase, from the cue to the name
        in_registry BOOLEAN NOT NULL        -- cited_outlet is an outlet we crawl (sportnews outlets)
    )""",
    """
    CREATE TABLE IF NOT EXISTS stories (
        story_id VARCHAR PRIMARY KEY,       -- 's' + the article_id of the article that started it
        first_article_id VARCHAR NOT NULL,  -- the earliest published article: the first reporter
        first_outlet VARCHAR NOT NULL,
        first_published_at TIMESTAMPTZ,
        last_published_at TIMESTAMPTZ,
        title VARCHAR,                      -- the first article's title
        articles INTEGER NOT NULL,
        outlets INTEGER NOT NULL
    )""",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS story_id VARCHAR",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS enriched_at TIMESTAMPTZ",
    "ALTER TABLE articles ADD COLUMN IF NOT EXISTS enriched_with VARCHAR",
    f"""
    CREATE OR REPLACE VIEW entity_mentions AS
    SELECT a.article_id, a.outlet, a.published_at, {_DAY}::DATE AS day, a.title, a.url, a.story_id,
           e.entity_id, n.name, e.kind, e.mentions, e.in_title
    FROM article_entities e JOIN articles a USING (article_id) LEFT JOIN entities n USING (entity_id)""",
    f"""
    CREATE OR REPLACE VIEW daily_outlet_counts AS
    SELECT {_DAY}::DATE AS day, a.outlet, count(*) AS articles FROM articles a GROUP BY ALL""",
    """
    CREATE OR REPLACE VIEW daily_entity_counts AS
    SELECT day, entity_id, name, kind, outlet, count(*) AS articles, sum(mentions) AS mentions,
           count(*) FILTER (WHERE in_title) AS in_title
    FROM entity_mentions GROUP BY ALL""",
    f"""
    CREATE OR REPLACE VIEW story_pickups AS
    SELECT a.story_id, a.article_id, a.outlet, a.title, a.url, {_DAY} AS published_at, s.first_outlet,
           s.first_published_at, {_DAY} - s.first_published_at AS delay, a.article_id = s.first_article_id AS is_first
    FROM articles a JOIN stories s USING (story_id)""",
    """
    CREATE OR REPLACE VIEW story_first_reports AS
    SELECT s.story_id, s.title, s.first_outlet, s.first_article_id, f.url AS first_url, s.first_published_at,
           s.last_published_at, s.articles, s.outlets,
           (SELECT list(p.outlet ORDER BY p.t, p.outlet) FROM (SELECT outlet, min(published_at) AS t FROM story_pickups
            WHERE story_pickups.story_id = s.story_id GROUP BY outlet) p) AS outlet_order
    FROM stories s LEFT JOIN articles f ON f.article_id = s.first_article_id""",
    f"""
    CREATE OR REPLACE VIEW cited_outlet_counts AS
    SELECT c.cited_outlet, n.name, c.in_registry, count(*) AS citations, count(DISTINCT a.article_id) AS articles,
           count(DISTINCT a.outlet) AS citing_outlets, min({_DAY}) AS first_cited_at, max({_DAY}) AS last_cited_at
    FROM article_citations c JOIN articles a USING (article_id) LEFT JOIN entities n ON n.entity_id = c.cited_outlet
    WHERE c.cited_outlet IS NOT NULL GROUP BY ALL""",
    f"""
    CREATE OR REPLACE VIEW rumours AS
    SELECT a.article_id, a.outlet, a.published_at, {_DAY}::DATE AS day, a.title, a.url, a.story_id, e.entity_id,
           n.name, e.in_title,
           (SELECT list(DISTINCT c.cited_outlet ORDER BY c.cited_outlet) FROM article_citations c
            WHERE c.article_id = a.article_id AND c.cited_outlet IS NOT NULL) AS sources
    FROM articles a JOIN article_entities e USING (article_id) LEFT JOIN entities n USING (entity_id)
    WHERE e.kind = 'club' AND regexp_matches(lower(concat_ws(' ', a.title, a.section,
          array_to_string(coalesce(a.tags, []), ' '), a.url)), '{RUMOUR_PATTERN}')""",
]

# The near-duplicate index again, its rows keyed by a 64-bit signature id instead of article_id and
# outlet strings: a batch's band rows then reach DuckDB as numpy integer arrays (strings cost ten
# times as much to convert) and the table is a third smaller. The index is derived data: the next
# crawl signs the window's articles again (DedupePipeline.backfill).
_NEAR_INDEX_BY_SIGNATURE_ID = [
    "DROP TABLE IF EXISTS minhash_bands",
    "DROP TABLE IF EXISTS minhash_signatures",
    """
    CREATE TABLE minhash_bands (
        band SMALLINT NOT NULL,              -- LSH band number, 0..BANDS-1
        hash BIGINT NOT NULL,                -- hash of the band's MinHash values
        sig_id BIGINT NOT NULL,              -- minhash_signatures.sig_id
        first_seen_at TIMESTAMPTZ NOT NULL   -- when the version was indexed; rows leave with the window
    )""",
    """
    CREATE TABLE minhash_signatures (
        sig_id BIGINT NOT NULL,              -- 64 bits of sha1(article_id, content_hash)
        article_id VARCHAR NOT NULL,         -- the record the signed version belongs to
        outlet VARCHAR NOT NULL,
        root_id VARCHAR,                     -- the earliest copy this one is linked to (NULL: an original)
        content_hash VARCHAR NOT NULL,       -- the version signed (an article has one row per version)
        published_at TIMESTAMPTZ,
        first_seen_at TIMESTAMPTZ NOT NULL,
        signature_version INTEGER NOT NULL,  -- pipeline.near_dupes.SIGNATURE_VERSION
        signature BLOB NOT NULL              -- MinHash values and shingle count, little-endian uint32
    )""",
]

# Raw pages are gzip already: stored as they are. DuckDB tried its string compressions on them at
# every checkpoint, that is after every write batch, for nothing: 8,000 rows written in 500-row
# batches spent 16 s in checkpoints before, 6 s after (with storage.connection.DISABLED_COMPRESSION).
# DuckDB cannot change a column's compression in place, so the table is copied once.
_PAGES_UNCOMPRESSED = [
    """
    CREATE TABLE pages_v6 (
        article_id VARCHAR PRIMARY KEY,
        url VARCHAR NOT NULL,
        fetched_at TIMESTAMPTZ NOT NULL,
        http_status INTEGER,
        content_type VARCHAR,
        html_gz BLOB NOT NULL USING COMPRESSION uncompressed  -- gzip of the body exactly as served
    )""",
    "INSERT INTO pages_v6 SELECT article_id, url, fetched_at, http_status, content_type, html_gz FROM pages",
    "DROP TABLE pages",
    "ALTER TABLE pages_v6 RENAME TO pages",
]

# Band hashes folded to 32 bits (pipeline.near_dupes.band_hashes): each write batch's lookup streams
# the window's hash column through a join, and half the bytes took half the time. The stored
# BIGINT hashes are folded the same way (high half xor low half), so the index keeps every entry
# and no crawl has to sign its window again.
_BAND_HASHES_32 = [
    """
    CREATE TABLE minhash_bands_v7 (
        band SMALLINT NOT NULL,              -- LSH band number, 0..BANDS-1
        hash UINTEGER NOT NULL,              -- 32-bit hash of the band number and the band's MinHash values
        sig_id BIGINT NOT NULL,              -- minhash_signatures.sig_id
        first_seen_at TIMESTAMPTZ NOT NULL   -- when the version was indexed; rows leave with the window
    )""",
    "INSERT INTO minhash_bands_v7 SELECT band, (xor(hash, hash >> 32) & 4294967295)::UINTEGER, sig_id, "
    "first_seen_at FROM minhash_bands",
    "DROP TABLE minhash_bands",
    "ALTER TABLE minhash_bands_v7 RENAME TO minhash_bands",
]

# Raw pages compressed with zstd instead of gzip (storage/page_codec.py): a sixth smaller for the
# same CPU in the extraction workers, and a batch's writes follow its pages' bytes. Rows stored
# before keep their gzip, which ``page_codec.decompress`` tells from zstd by its first bytes; the
# column's new name says it holds either. A rename: nothing is copied.
_PAGES_ZSTD = ["ALTER TABLE pages RENAME COLUMN html_gz TO html_compressed"]

# The articles' secondary ART indexes dropped (outlet and publication time, content hash, URL key):
# no statement of ours looks an article up by them, DuckDB uses an ART only for point lookups (its
# scans skip by min-max zonemaps, which every column has), and each cost every write batch: new
# articles went into all three and the commit's checkpoint wrote them, a folded revision's new
# content hash turned its UPDATE into a delete and an insert, and an index must sit whole in the
# memory of every write that touches the table, a write capped at SPORTNEWS_WRITE_MEMORY_LIMIT. On a
# 20,000-page crawl's archive a batch of 250 new articles took 64-67 ms of CPU with them and 54-55
# without; a lookup by URL key or content hash took 1.2 ms instead of 0.65 (a scan of one column).
# The primary keys stay: they keep an article, a page, a duplicate or a reject once per key.
_NO_SECONDARY_ARTICLE_INDEXES = [
    "DROP INDEX IF EXISTS articles_outlet_published",
    "DROP INDEX IF EXISTS articles_content_hash",
    "DROP INDEX IF EXISTS articles_url_key",
]

Migration = list[str] | Callable[[duckdb.DuckDBPyConnection], None]

MIGRATIONS: list[tuple[str, Migration]] = [
    ("base tables", _V1),
    ("run details per outlet, source validators", _RUN_DETAILS_AND_SOURCES),
    ("near-duplicate index, revision counts", _NEAR_DUPLICATES),
    ("clubs, sources and stories", _ENRICHMENT),
    ("near-duplicate index keyed by signature id", _NEAR_INDEX_BY_SIGNATURE_ID),
    ("raw pages stored as they are (already gzip)", _PAGES_UNCOMPRESSED),
    ("near-duplicate band hashes in 32 bits", _BAND_HASHES_32),
    ("raw pages compressed with zstd (html_gz renamed html_compressed)", _PAGES_ZSTD),
    ("no secondary indexes on articles", _NO_SECONDARY_ARTICLE_INDEXES),
]
"""Ordered (name, statements) steps; step i brings an archive from version i to version i+1.
Append new steps at the end; never edit or reorder a released one."""

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The archive's schema version; 0 for a new, empty file."""
    has = one(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'")
    if not has or not has[0]:
        return 0
    row = one(con, "SELECT max(version) FROM schema_info")
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
            rollback(con)
            raise
        logger.info("archive schema migrated to version %s (%s)", target, name)
    return SCHEMA_VERSION
