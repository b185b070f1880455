"""Exports of the articles table: Parquet, CSV, JSON Lines, or one text file per article."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from storage.connection import DEFAULT_LOCK_TIMEOUT, opened

EXPORT_COLUMNS = (
    "article_id", "outlet", "url", "canonical_url", "title", "authors", "published_at", "published_source",
    "modified_at", "section", "tags", "description", "image", "text", "language", "language_prob", "word_count",
    "content_hash", "page_kind", "duplicate_of", "duplicate_kind", "similarity", "first_seen_at", "run_id",
)  # fmt: skip
FORMATS = ("parquet", "csv", "jsonl", "txt")


def where_clause(outlets: Sequence[str] | None, since: str | None) -> tuple[str, list[object]]:
    """The ``WHERE`` of an export (empty when it takes everything) and its bound parameters."""
    where, params = [], []
    if outlets:
        where.append("outlet IN (SELECT unnest(?))")
        params.append(list(outlets))
    if since:
        where.append("published_at >= CAST(? AS DATE)")
        params.append(since)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _selection(outlets: Sequence[str] | None, since: str | None) -> tuple[str, list[object]]:
    where, params = where_clause(outlets, since)
    return (
        f"SELECT {', '.join(EXPORT_COLUMNS)} FROM articles{where} ORDER BY published_at NULLS LAST, article_id",
        params,
    )


def txt_name(published: datetime | None, outlet: str, article_id: str) -> str:
    """``YYYY-MM-DD_outlet_articleid.txt``: only letters, digits, '_', '-' and '.', so no value of an
    archive (one made by another tool, or edited by hand) can name a path outside the folder."""
    day = published.date().isoformat() if published else "undated"
    return f"{day}_{re.sub(r'[^a-z0-9_]', '_', outlet)}_{re.sub(r'[^0-9a-z]', '_', article_id)}.txt"


def txt_body(published: datetime | date | None, title: str | None, text: str) -> str:
    """The seed-article shape: ``date YYYY-MM-DD <title>``, a blank line, the text."""
    day = published.date() if isinstance(published, datetime) else published
    return f"date {day.isoformat() if day else 'unknown'} {title or ''}".rstrip() + "\n\n" + text.strip() + "\n"


def export_archive(
    db: str | Path, fmt: str, out: Path, outlets: Sequence[str] | None = None, since: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:  # fmt: skip
    """Write the selected articles to ``out``; returns how many. Parameters are bound, never formatted."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    sql, params = _selection(outlets, since)
    with opened(db, read_only=True, lock_timeout=lock_timeout) as con:
        if fmt in ("parquet", "csv"):
            out.parent.mkdir(parents=True, exist_ok=True)
            rel = con.sql(sql, params=params)
            count = len(rel)
            if fmt == "parquet":
                rel.write_parquet(str(out))
            else:
                rel.write_csv(str(out), header=True)
            return count
        cur = con.execute(sql, params)
        count = 0
        if fmt == "jsonl":
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as fh:
                while rows := cur.fetchmany(500):
                    for row in rows:
                        fh.write(json.dumps(dict(zip(EXPORT_COLUMNS, row, strict=True)), ensure_ascii=False,
                                            default=str) + "\n")  # fmt: skip
                        count += 1
            return count
        out.mkdir(parents=True, exist_ok=True)
        idx = {c: i for i, c in enumerate(EXPORT_COLUMNS)}
        while rows := cur.fetchmany(500):
            for row in rows:
                published = row[idx["published_at"]]
                name = txt_name(published, row[idx["outlet"]], row[idx["article_id"]])
                (out / name).write_text(txt_body(published, row[idx["title"]], row[idx["text"]]), encoding="utf-8")
                count += 1
        return count
