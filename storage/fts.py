"""Full-text search over titles and texts: DuckDB's fts extension where it loads, a plain scan otherwise."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import shlex
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from storage.sql import one

logger = logging.getLogger(__name__)

FTS_SCHEMA = "fts_main_articles"
"""Where ``PRAGMA create_fts_index('articles', ...)`` keeps the index inside the archive."""
STOPWORDS_TABLE = "fts_stopwords"
# Italian function words left out of the index: they match everything and rank nothing.
ITALIAN_STOPWORDS = tuple(
    " ".join(
        (
            "il lo la i gli le un uno una di del dello della dei degli delle da dal dallo dalla dai dagli dalle",
            "a al allo alla ai agli alle in nel nello nella nei negli nelle su sul sullo sulla sui sugli sulle",
            "con per tra fra e ed o che non ma se come anche più è sono ha hanno l dell all dall nell sull",
        )
    ).split()
)
RESULT_COLUMNS = ("article_id", "outlet", "published_at", "title", "url", "score")


@dataclass
class SearchResult:
    """Rows of ``RESULT_COLUMNS``, how they were found, and why not with the index if so."""

    rows: list[tuple[Any, ...]]
    method: str
    """'fts' (BM25 over the index, Italian stemming) or 'scan' (every word must appear)."""
    note: str | None = None


def load_fts(con: duckdb.DuckDBPyConnection) -> str | None:
    """Load the fts extension into ``con``; None when it loaded, else why not (for the user).

    Never downloads: DuckDB's extension repository is often unreachable (and this tool must not
    send traffic anywhere unasked). The extension loads when it was installed before (``INSTALL
    fts`` once, from any DuckDB client, where the repository is reachable) or when a pip package
    ``duckdb-extension-fts`` built for this DuckDB version is installed.
    """
    with contextlib.suppress(duckdb.Error):  # older DuckDB without the setting
        con.execute("SET autoinstall_known_extensions = false")
    try:
        con.execute("LOAD fts")
        return None
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
    bundled = _pip_extension_path()
    if bundled is not None:
        try:
            con.execute(f"LOAD '{bundled}'")  # a path we built from a package folder, not user input
            return None
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
    return (
        f"DuckDB's fts extension is not available ({first}); install it once with `INSTALL fts` where "
        f"DuckDB's extension repository is reachable, or `pip install duckdb-extension-fts=={duckdb.__version__}` "
        "if that version exists"
    )


def _pip_extension_path() -> Path | None:
    """The extension file of an installed ``duckdb-extension-fts`` package for this DuckDB, if any."""
    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
        if path.exists():
            return path
    return None


def index_state(con: duckdb.DuckDBPyConnection) -> tuple[bool, int, int]:
    """(index exists, articles indexed, articles in the archive)."""
    row = one(con, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", [FTS_SCHEMA])
    exists = bool(row and row[0])
    total_row = one(con, "SELECT count(*) FROM articles")
    total = int(total_row[0]) if total_row else 0
    if not exists:
        return False, 0, total
    try:
        n_row = one(con, f"SELECT count(*) FROM {FTS_SCHEMA}.docs")
    except duckdb.Error:
        return False, 0, total
    return True, int(n_row[0]) if n_row else 0, total


def build_index(con: duckdb.DuckDBPyConnection) -> str | None:
    """(Re)build the index over titles and texts; None when built, else why not.

    The fts index is a snapshot (DuckDB does not update it on insert), so enrichment rebuilds it
    after each batch of new articles. Italian stemming, accents and case folded.
    """
    reason = load_fts(con)
    if reason is not None:
        return reason
    con.execute(
        f"CREATE OR REPLACE TABLE {STOPWORDS_TABLE} AS SELECT unnest(?::VARCHAR[]) AS sw", [list(ITALIAN_STOPWORDS)]
    )
    con.execute(
        f"PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', stemmer = 'italian', "
        f"stopwords = '{STOPWORDS_TABLE}', strip_accents = 1, lower = 1, overwrite = 1)"
    )
    return None


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    limit: int = 20,
    outlets: list[str] | None = None,
    since: date | datetime | str | None = None,
) -> SearchResult:
    """Articles matching every word of ``query`` (quote phrases: '"Real Madrid" Allegri'), best first.

    With a fresh fts index: BM25 ranking with Italian stemming ("rinnovi" finds "rinnovo").
    Otherwise a scan: every word or phrase must appear in the title or text (accents and case
    ignored), ranked by occurrences, title ones counting triple; ``note`` says why.
    """
    reason = load_fts(con)
    if reason is None:
        exists, indexed, total = index_state(con)
        if not exists:
            reason = "the full-text index has not been built yet: run `sportnews enrich`"
        elif indexed != total:
            reason = f"the full-text index covers {indexed} of {total} articles: run `sportnews enrich` to refresh it"
    where, params = _filters(outlets, since)
    terms = _terms(query)
    if reason is None:
        # BM25 knows words, not phrases: rank on the words, then keep articles holding each phrase.
        phrases = [t for t in terms if " " in t]
        for phrase in phrases:
            where += " AND contains(strip_accents(lower(concat_ws(' ', title, text))), ?)"
            params.append(phrase)
        sql = (
            f"SELECT article_id, outlet, published_at, title, url, score FROM (SELECT *, "
            f"{FTS_SCHEMA}.match_bm25(article_id, ?, conjunctive := 1) AS score FROM articles) a "
            f"WHERE score IS NOT NULL{where} ORDER BY score DESC, published_at DESC NULLS LAST LIMIT ?"
        )
        rows = con.execute(sql, [" ".join(terms), *params, limit]).fetchall()
        return SearchResult(rows, "fts")
    if not terms:
        return SearchResult([], "scan", reason)
    match_parts, score_parts, term_params, score_params = [], [], [], []
    for term in terms:
        match_parts.append(
            "(contains(strip_accents(lower(coalesce(a.title, ''))), ?) OR contains(strip_accents(lower(a.text)), ?))"
        )
        term_params += [term, term]
        score_parts.append(
            "3 * (length(strip_accents(lower(coalesce(a.title, '')))) - "
            "length(replace(strip_accents(lower(coalesce(a.title, ''))), ?, ''))) / length(?) + "
            "(length(strip_accents(lower(a.text))) - length(replace(strip_accents(lower(a.text)), ?, ''))) / length(?)"
        )
        score_params += [term, term, term, term]
    sql = (
        f"SELECT a.article_id, a.outlet, a.published_at, a.title, a.url, ({' + '.join(score_parts)}) AS score "
        f"FROM articles a WHERE {' AND '.join(match_parts)}{where} "
        "ORDER BY score DESC, a.published_at DESC NULLS LAST LIMIT ?"
    )
    rows = con.execute(sql, [*score_params, *term_params, *params, limit]).fetchall()
    return SearchResult(rows, "scan", reason)


def _terms(query: str) -> list[str]:
    """Words and quoted phrases, folded like the scan folds the text."""
    try:
        parts = shlex.split(query)
    except ValueError:  # an unbalanced quote: take the words as they are
        parts = query.replace('"', " ").split()
    out = []
    for p in parts:
        folded = "".join(c for c in unicodedata.normalize("NFKD", p.lower()) if not unicodedata.combining(c))
        if folded.strip():
            out.append(folded.strip())
    return out


def _filters(outlets: list[str] | None, since: date | datetime | str | None) -> tuple[str, list[Any]]:
    where, params = "", []
    if outlets:
        where += " AND outlet IN (SELECT unnest(?))"
        params.append(list(outlets))
    if since is not None:
        where += " AND coalesce(published_at, first_seen_at) >= CAST(? AS TIMESTAMPTZ)"
        params.append(str(since))
    return where, params
