"""Export of the articles table as Hive-partitioned Parquet (``outlet=KEY/date=YYYY-MM-DD/``) for lake engines."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

from storage.connection import DEFAULT_LOCK_TIMEOUT, DISPLAY_TIMEZONE, opened
from storage.export import EXPORT_COLUMNS, where_clause

logger = logging.getLogger(__name__)

PARTITION_COLUMNS = ("outlet", "date")
"""Spark, Trino, Athena, DuckDB and Polars all prune on these when the path says ``outlet=x/date=y``."""
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
"""Folder name DuckDB (like Hive and Spark) gives articles without a publication date."""


def _selection(outlets: Sequence[str] | None, since: str | None) -> tuple[str, list[object]]:
    """The rows to export with their ``date`` partition: the publication day in the outlets' time
    zone (an article published at 00:30 in Rome belongs to that Italian day, not the UTC one)."""
    where, params = where_clause(outlets, since)
    columns = ", ".join(EXPORT_COLUMNS)
    sql = f"SELECT {columns}, CAST(timezone('{DISPLAY_TIMEZONE}', published_at) AS DATE) AS date FROM articles{where}"
    return sql + " ORDER BY outlet, date, published_at, article_id", params


def _is_previous_export(folder: Path) -> bool:
    """True for a folder holding only ``outlet=...`` partitions: safe to replace, nothing else is lost."""
    return all(p.is_dir() and p.name.startswith("outlet=") for p in folder.iterdir())


def export_partitioned(
    db: str | Path, out: Path, outlets: Sequence[str] | None = None, since: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:  # fmt: skip
    """Write the selected articles under ``out/outlet=KEY/date=YYYY-MM-DD/``; returns how many.

    One ``COPY ... (FORMAT parquet, PARTITION_BY (outlet, date))`` does it all inside DuckDB, so
    memory stays flat whatever the archive's size. ``out`` must be new, empty, or an earlier export
    (then replaced whole, so deleted articles do not linger in old partitions).

    Raises:
        ValueError: ``out`` is a file, or a folder with other things in it.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out} is a file: give a folder for parquet-partitioned")
        if any(out.iterdir()):
            if not _is_previous_export(out):
                raise ValueError(f"{out} holds other files: give a new or empty folder (or an earlier export)")
            shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sql, params = _selection(outlets, since)
    target = str(out).replace("'", "''")  # COPY takes the path as a literal, never a bound parameter
    partition = ", ".join(PARTITION_COLUMNS)
    with opened(db, read_only=True, lock_timeout=lock_timeout) as con:
        row = con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, PARTITION_BY ({partition}))", params).fetchone()
    count = int(row[0]) if row else 0
    logger.info("exported %d articles to %s partitioned by %s", count, out, partition)
    return count
