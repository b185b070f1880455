"""What a write batch costs by what it holds: new articles (the baseline), changed re-fetches, copies published first.

    .venv/bin/python benchmarks/write_batches.py                    # 4 batches of 500 stored first
    .venv/bin/python benchmarks/write_batches.py --stored 20000     # on a larger archive

A scheduled crawl re-fetches the articles its feeds still list, and many come back changed (the
score, a quote, a correction); a backfill meets syndicated copies in any order, and a copy
published before the stored one becomes the original. Both reach the writer as work on stored
records (storage/revisions.py folds the versions, storage.writer relinks the copies), which must
cost per batch what new articles cost, not one statement per record. Every batch is written by
the real ArchiveWriter to an archive file, attached and detached per batch as in a crawl; each
kind is measured twice, in turn with the baseline, and the CPU of the writing thread is printed
with its ratio to the new articles' batch of the same round.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.writer import ArchiveWriter  # noqa: E402

WORDS = [
    "Napoli",
    "Inter",
    "Milan",
    "Juventus",
    "gol",
    "partita",
    "mercato",
    "rigore",
    "allenatore",
    "tifosi",
    "stadio",
    "vittoria",
]
NOW = datetime(2026, 3, 4, 11, 30, tzinfo=UTC)


def article(article_id: str, text: str, rnd: random.Random, **kw: Any) -> dict[str, Any]:
    """An ``articles`` + ``pages`` row as the store stage hands it over, with a page of 30 KB."""
    row: dict[str, Any] = {
        "article_id": article_id, "outlet": "curvasud", "url": f"https://x.it/{article_id}",
        "canonical_url": f"https://x.it/{article_id}", "url_key": f"x.it/{article_id}", "title": "Titolo",
        "authors": ["Mario Rossi"], "published_at": "2026-03-04T12:30:00+01:00", "published_raw": "x",
        "published_source": "json-ld", "text": text, "language": "it", "language_prob": 0.99,
        "word_count": len(text.split()), "content_hash": f"h-{hash(text)}", "page_kind": "article",
        "tags": ["Napoli"], "first_seen_at": NOW, "updated_at": NOW, "run_id": "bench",
        "html_compressed": rnd.randbytes(30_000), "fetched_at": NOW, "http_status": 200, "content_type": "text/html",
    }  # fmt: skip
    row.update(kw)
    return row


def text(rnd: random.Random, n: int, version: int) -> str:
    return f"Articolo {n}, versione {version}. " + " ".join(rnd.choice(WORDS) for _ in range(300))


def timed(writer: ArchiveWriter, rows: list[dict[str, Any]]) -> float:
    """CPU milliseconds of the writing thread for one batch."""
    started = time.thread_time()
    writer.write_batch(rows)
    return (time.thread_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=2000, help="articles stored before the measured batches")
    parser.add_argument("--batch", type=int, default=500, help="rows per measured batch (SPORTNEWS_BATCH_SIZE)")
    args = parser.parse_args()
    if args.stored < 4 * args.batch:
        parser.error("--stored must hold at least four batches: each round changes one and is copied in another")
    print("CPU of the writing thread per batch; ratio: to the batch of as many new articles of the same round")
    rnd = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        writer = ArchiveWriter(Path(folder) / "bench.duckdb")
        for start in range(0, args.stored, args.batch):
            ids = range(start, min(start + args.batch, args.stored))
            writer.write_batch([article(f"s{i:06d}", text(rnd, i, 0), rnd) for i in ids])
        fresh = 0
        for round_ in (1, 2):
            base = args.batch * (round_ - 1)  # each round works on stored records of its own
            ids = range(base, base + args.batch)
            new = timed(writer, [article(f"n{fresh + i:06d}", text(rnd, i, 9), rnd) for i in range(args.batch)])
            fresh += args.batch
            changed = timed(writer, [
                article(f"s{i:06d}", text(rnd, i, round_), rnd, modified_at="2026-03-05T10:00:00+01:00") for i in ids
            ])  # fmt: skip
            # A copy of each stored text on another outlet, published two hours before the stored one.
            copies = timed(writer, [
                article(f"p{i:06d}", f"copy {i}", rnd, outlet="tribuna", published_at="2026-03-04T10:30:00+01:00",
                        predates=f"s{i + args.batch * 2:06d}")
                for i in ids
            ])  # fmt: skip
            print(f"round={round_} stored={args.stored + fresh - args.batch} batch={args.batch} "
                  f"new_ms={new:.0f} changed_ms={changed:.0f} ratio={changed / new:.2f} "
                  f"copies_first_ms={copies:.0f} ratio={copies / new:.2f}", flush=True)  # fmt: skip
        writer.close()


if __name__ == "__main__":
    main()
