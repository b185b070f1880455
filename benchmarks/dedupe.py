"""Near-duplicate detection: precision and recall on labelled pairs, and the dedupe step's cost per article.

    .venv/bin/python benchmarks/dedupe.py                  # labelled pairs, corpus pairs, cost at 0 and 100,000
    .venv/bin/python benchmarks/dedupe.py --stored 20000   # a quicker cost run

Quality runs every pair through the real decision (pipeline.dedupe_stage.DedupePipeline.resolve on
an in-memory index: the earlier article indexed, then the later one looked up), with the thresholds
of pipeline/near_dupes.py. Cost runs batches of new articles through the same code on an archive
file, opened per batch as in a crawl, first empty and then holding N synthetic stored articles
(Zipf-distributed words, each outlet's boilerplate footer, so outlets' articles share shingles as
real ones do). The baseline, measured in the same run, is the exact-text layer alone.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.make_dedupe_pairs import PAIRS_FILE, corpus_pairs, load_pairs  # noqa: E402
from pipeline import near_dupes  # noqa: E402
from pipeline.dedupe_stage import DedupePipeline, NearDupSettings  # noqa: E402
from pipeline.items import Discovery, ExtractedArticle  # noqa: E402
from pipeline.text import content_hash  # noqa: E402
from storage import near_index  # noqa: E402
from storage.connection import opened  # noqa: E402

CORPUS = Path(os.environ.get("SPORTNEWS_CORPUS", ROOT.parent / "shared" / "corpus"))


def article(outlet: str, url: str, text: str, published: str | None = None) -> ExtractedArticle:
    return ExtractedArticle(
        outlet=outlet, url=url, canonical_url=url, url_key=url.split("://", 1)[-1], title=None, authors=[],
        published_at=published, published_raw=None, published_source=None, modified_at=None, description=None,
        section=None, tags=[], image=None, text=text, language="it", language_prob=1.0, word_count=len(text.split()),
        content_hash=content_hash(text), page_kind="article", fetched_at="", http_status=200, raw_html=b"",
        content_type="text/html", discovery=Discovery("feed", ""),
    )  # fmt: skip


# -- quality -----------------------------------------------------------------------------------------------
def evaluate(pairs: list[dict[str, Any]], near: NearDupSettings) -> dict[str, Any]:
    """Each pair through resolve(): A indexed first, B decided against it; the index emptied between pairs."""
    pipe = DedupePipeline(None, near=near)
    tp = fp = fn = tn = 0
    missed: collections.Counter[str] = collections.Counter()
    false: collections.Counter[str] = collections.Counter()
    for n, p in enumerate(pairs):
        a, b = p["a"], p["b"]
        pipe.resolve([article(a["outlet"], f"https://a/{n}", a["text"], "2026-03-04T10:00:00+01:00")])
        (v,) = pipe.resolve([article(b["outlet"], f"https://b/{n}", b["text"], "2026-03-04T12:00:00+01:00")])
        found = v.kind in ("near", "revision")
        if p["label"] and found:
            tp += 1
        elif p["label"]:
            fn += 1
            missed[p["kind"]] += 1
        elif found:
            fp += 1
            false[p["kind"]] += 1
        else:
            tn += 1
        with pipe._index() as con:
            con.execute("DELETE FROM minhash_bands")
            con.execute("DELETE FROM minhash_signatures")
    return {
        "pairs": len(pairs), "positives": tp + fn, "negatives": fp + tn,
        "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
        "missed": dict(missed), "false": dict(false),
    }  # fmt: skip


def sweep(pairs: list[dict[str, Any]], near: float, revision: float) -> tuple[float, float]:
    """Precision and recall at other thresholds, from the same band check and similarity as resolve()."""
    tp = fp = fn = 0
    for p in pairs:
        a, b = near_dupes.minhash_signature(p["a"]["text"]), near_dupes.minhash_signature(p["b"]["text"])
        shared = any(x == y for x, y in zip(near_dupes.band_hashes(a), near_dupes.band_hashes(b), strict=True))
        found = shared and near_dupes.similarity(a, b) >= (revision if p["same_outlet"] else near)
        tp += found and p["label"] == 1
        fp += found and p["label"] == 0
        fn += not found and p["label"] == 1
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def report_quality(name: str, pairs: list[dict[str, Any]], out: list[str]) -> None:
    base = NearDupSettings()
    r = evaluate(pairs, base)
    out.append(f"{name}: {r['pairs']} pairs ({r['positives']} near-duplicates, {r['negatives']} not)")
    out.append(f"  at near {base.near_threshold} / revision {base.revision_threshold}: "
               f"precision {r['precision']:.3f}  recall {r['recall']:.3f}")  # fmt: skip
    if r["missed"]:
        out.append(f"  missed: {r['missed']}")
    if r["false"]:
        out.append(f"  false duplicates: {r['false']}")
    for d in (-0.2, -0.1, +0.1, +0.2):
        near, revision = base.near_threshold + d, base.revision_threshold + d
        precision, recall = sweep(pairs, near, revision)
        out.append(f"  at near {near:.1f} / revision {revision:.1f}: precision {precision:.3f}  recall {recall:.3f}")


# -- cost -------------------------------------------------------------------------------------------------
class Synth:
    """Synthetic Italian-like articles: Zipf word frequencies, 40 outlets each with its own footer."""

    def __init__(self, seed: int = 7, vocabulary: int = 30_000) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = np.array([f"w{i:05d}" for i in range(vocabulary)])
        weights = 1.0 / np.arange(1, vocabulary + 1) ** 1.05
        self.cdf = np.cumsum(weights / weights.sum())
        self.footers = [self._draw(20) for _ in range(40)]

    def _draw(self, n: int) -> str:
        picks = np.searchsorted(self.cdf, self.rng.random(n) * self.cdf[-1])
        return " ".join(self.words[np.minimum(picks, len(self.words) - 1)])

    def text(self, outlet: int, words: int = 400) -> str:
        return f"{self._draw(words)}\n{self.footers[outlet]}"


def fill(db: Path, n: int, synth: Synth) -> float:
    """Index n synthetic stored articles (first seen over the last 20 days); returns seconds spent."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    chunk: list[near_index.IndexEntry] = []
    with opened(db) as con:
        for i in range(n):
            sig = near_dupes.minhash_signature(synth.text(i % 40))
            seen = now - timedelta(days=20 * i / max(n, 1))
            chunk.append(near_index.IndexEntry(f"s{i:07d}", f"o{i % 40}", None, f"h{i}", seen, seen, sig,
                                               near_dupes.band_hashes(sig)))  # fmt: skip
            if len(chunk) == 5000 or i == n - 1:
                con.execute("BEGIN TRANSACTION")
                near_index.add(con, chunk, near_dupes.SIGNATURE_VERSION)
                con.execute("COMMIT")
                chunk = []
        con.execute("CHECKPOINT")
    return time.perf_counter() - started


class Runner:
    """Batches of new articles through the exact layer and resolve(), on one archive, timed one by one."""

    def __init__(
        self, db: Path, batch_size: int, seed: int, stored_texts: list[str], worker_signs: bool = False
    ) -> None:
        self.worker_signs = worker_signs  # the extraction worker made the signature: the stage only looks up
        self.pipe = DedupePipeline(db, near=replace(NearDupSettings(), batch_size=batch_size))
        self.size = batch_size
        self.synth = Synth(seed=seed)
        self.rng = np.random.default_rng(seed)  # each runner its own copies, or they would be revisions
        self.stored_texts = stored_texts
        self.tag = f"{seed}-{batch_size}-{worker_signs}"
        self.exact: list[float] = []
        self.near: list[float] = []
        self.verdicts: collections.Counter[str] = collections.Counter()
        self.n = 0

    def batch(self) -> None:
        items = []
        for _ in range(self.size):
            if self.stored_texts and self.rng.random() < 0.1:  # one in ten is a copy of a stored article
                text = self.stored_texts[int(self.rng.integers(len(self.stored_texts)))] + "\nFonte: ANSA"
            else:
                text = self.synth.text(int(self.rng.integers(40)))
            self.n += 1
            items.append(article(f"n{self.n % 7}", f"https://n/{self.tag}/{self.n}", text))  # new URLs every run
            if self.worker_signs:
                tokens = near_dupes.words(text)
                items[-1].minhash, items[-1].near_words = near_dupes.signature_of_tokens(tokens), len(tokens)
        t0 = time.perf_counter()
        for it in items:
            self.pipe.first_layer(it)
        t1 = time.perf_counter()
        for v in self.pipe.resolve(items):
            self.verdicts[v.kind] += 1
        t2 = time.perf_counter()
        self.exact.append((t1 - t0) / len(items))
        self.near.append((t2 - t1) / len(items))

    def result(self) -> dict[str, float]:
        """Medians over batches: other processes on a shared 2-core machine make single batches slow."""
        return {"exact_ms": 1000 * float(np.median(self.exact)), "near_ms": 1000 * float(np.median(self.near)),
                "articles": self.n, **self.verdicts}  # fmt: skip


def open_close_ms(db: Path, n: int = 10) -> float:
    """What one archive open (with its migration check) and close costs: paid once per batch."""
    started = time.perf_counter()
    for _ in range(n):
        with opened(db):
            pass
    return 1000 * (time.perf_counter() - started) / n


def report_cost(stored: int, sizes: list[int], batches: int, out: list[str]) -> None:
    """Batches on an empty archive and on one holding ``stored`` articles, interleaved so both see the same load."""
    texts = [Synth(seed=3).text(i % 40) for i in range(300)]
    t = time.perf_counter()
    for x in texts:
        near_dupes.minhash_signature(x)
    sig_ms = 1000 * (time.perf_counter() - t) / len(texts)
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty.duckdb", Path(tmp) / "full.duckdb"
        for db in (empty, full):
            with opened(db):
                pass
        fill_secs = fill(full, stored, Synth())
        probe = Synth()  # the same generator as fill: its first texts are stored ones, for copies
        stored_texts = [probe.text(i % 40) for i in range(min(stored, 2000))]
        runners = {(size, n, signs): Runner(db, size, 1000 * size + 10 * k + signs, stored_texts if n else [], signs)
                   for size in sizes for k, (n, db) in enumerate(((0, empty), (stored, full)))
                   for signs in (False, True)}  # fmt: skip
        for _ in range(batches):
            for r in runners.values():
                r.batch()
        open_empty, open_full = open_close_ms(empty), open_close_ms(full)
        with opened(full, read_only=True) as con:
            sigs, bands = near_index.counts(con)
        size_mb = full.stat().st_size / 1e6
    out.append(f"cost per article of the dedupe step, 400-word texts, median of {batches} batches per row "
               "(empty and full archive batches interleaved):")  # fmt: skip
    out.append(f"  of which the signature (MinHash, datasketch's affine32 in numpy, {near_dupes.NUM_PERM} perms): "
               f"{sig_ms:.2f} ms; "
               f"one archive open+close per batch: {open_empty:.0f} ms empty, {open_full:.0f} ms full")  # fmt: skip
    for (size, n, signs), runner in runners.items():
        r = runner.result()
        total = r["exact_ms"] + r["near_ms"]
        base = runners[(size, 0, signs)].result()
        ratio = total / (base["exact_ms"] + base["near_ms"])
        verdicts = ", ".join(f"{k} {int(v)}" for k, v in r.items() if not k.endswith("_ms") and k != "articles")
        who = "worker signs" if signs else "stage signs "
        out.append(f"  batch {size:>3}, {who}, {n:>7,} stored: {total:.2f} ms/article ({ratio:.2f}x empty; "
                   f"exact layer alone {r['exact_ms']:.3f} ms); {verdicts}")  # fmt: skip
    out.append(f"  index at {stored:,}: {sigs:,} signatures, {bands:,} band rows, file {size_mb:.0f} MB "
               f"(filled in {fill_secs:.0f} s); one article in ten was a copy of a stored one")  # fmt: skip
    out.append(f"load average at the end: {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000, help="synthetic stored articles for the cost run")
    parser.add_argument("--batch", type=int, action="append", help="batch sizes (default: the setting's and half)")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args(argv)
    out: list[str] = [f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"]
    if not args.no_quality:
        report_quality(f"labelled pairs ({PAIRS_FILE.relative_to(ROOT)})", load_pairs(PAIRS_FILE), out)
        if CORPUS.is_dir():
            report_quality(f"corpus pairs (made now from {CORPUS})", corpus_pairs(CORPUS), out)
        else:
            out.append(f"corpus pairs: skipped, no corpus at {CORPUS}")
    print("\n".join(out), flush=True)
    out.clear()
    if not args.no_cost:
        default = NearDupSettings().batch_size
        report_cost(args.stored, args.batch or [default // 2, default], args.batches, out)
        print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
