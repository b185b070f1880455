"""Precision and recall of club tagging and citation detection on the labelled set, against a naive baseline."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.citations import find_citations  # noqa: E402
from pipeline.entities import Gazetteer, fold, load_gazetteer, tag_article  # noqa: E402

logger = logging.getLogger(__name__)

LABELLED = ROOT / "tests" / "data" / "entities_labelled.jsonl"
TIMING_ROUNDS = 20
"""Passes over the labelled set for the throughput figure: about a second, enough for a stable median."""


def load(path: Path = LABELLED) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def naive_clubs(gaz: Gazetteer) -> Callable[[str], set[str]]:
    """Baseline: every alias of every club, anywhere, any case, whole words, no rules."""
    table = [
        (re.compile(r"(?<!\w)" + re.escape(fold(a.text)) + r"(?!\w)"), a.target)
        for a in gaz.aliases
        if a.target and not a.is_outlet and gaz.entities[a.target].kind == "club"
    ]

    def tag(text: str) -> set[str]:
        folded = fold(text)
        return {target for rx, target in table if rx.search(folded)}

    return tag


def naive_citations(gaz: Gazetteer) -> Callable[[str], set[str]]:
    """Baseline: every outlet name found anywhere is a citation."""
    table = [
        (re.compile(r"(?<!\w)" + re.escape(fold(a.text)) + r"(?!\w)"), a.target) for a in gaz.aliases if a.is_outlet
    ]

    def tag(text: str) -> set[str]:
        folded = fold(text)
        return {target for rx, target in table if rx.search(folded)}

    return tag


def score(pairs: Iterable[tuple[set[str], set[str]]]) -> tuple[float, float, int, int, int]:
    """Micro precision and recall over (expected, predicted) sets; also tp, fp, fn."""
    tp = fp = fn = 0
    for expected, predicted in pairs:
        tp += len(expected & predicted)
        fp += len(predicted - expected)
        fn += len(expected - predicted)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, tp, fp, fn


def ours_clubs(gaz: Gazetteer, text: str) -> set[str]:
    return {e.entity_id for e in tag_article("", text, gaz) if e.kind == "club"}


def ours_citations(gaz: Gazetteer, text: str) -> set[str]:
    return {c.outlet or "?" for c in find_citations(text, gaz)}


def main(argv: list[str] | None = None) -> int:
    verbose = "-v" in (argv if argv is not None else sys.argv[1:])
    gaz = load_gazetteer()
    rows = load()
    naive_c, naive_s = naive_clubs(gaz), naive_citations(gaz)
    print(f"labelled set: {len(rows)} sentences and titles ({LABELLED.relative_to(ROOT)}), gazetteer {gaz.digest}")
    print(f"{'':22}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    results = {}
    for label, field, ours, naive in (
        ("clubs", "clubs", lambda t: ours_clubs(gaz, t), naive_c),
        ("citations", "citations", lambda t: ours_citations(gaz, t), naive_s),
    ):
        for who, fn in (("baseline (no rules)", naive), ("sportnews", ours)):
            pairs = [(set(r[field]), fn(r["text"])) for r in rows]
            p, rc, tp, fp, fn_ = score(pairs)
            results[(label, who)] = (p, rc)
            print(f"{label + ' ' + who:22}{p:10.3f}{rc:8.3f}{tp:6d}{fp:5d}{fn_:5d}")
            if verbose and who == "sportnews":
                for r, (exp, got) in zip(rows, pairs, strict=True):
                    if exp != got:
                        print(f"    expected {sorted(exp)} got {sorted(got)}: {r['text'][:100]}")
    texts = [r["text"] for r in rows]
    timings = {}
    for who, fn in (("baseline", naive_c), ("sportnews", lambda t: ours_clubs(gaz, t))):
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(TIMING_ROUNDS // 5):
                for t in texts:
                    fn(t)
            runs.append(time.perf_counter() - start)
        timings[who] = sorted(runs)[2] / (len(texts) * (TIMING_ROUNDS // 5))
    print(
        f"club tagging: {timings['sportnews'] * 1e6:.0f} µs per sentence, "
        f"{timings['baseline'] / timings['sportnews']:.2f}x the speed of the baseline"
    )
    cp, cr = results[("clubs", "sportnews")]
    sp, _ = results[("citations", "sportnews")]
    ok = cp >= 0.95 and cr >= 0.90 and sp >= 0.9
    print(f"targets clubs P>=0.95 R>=0.90, citations P>=0.90: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
