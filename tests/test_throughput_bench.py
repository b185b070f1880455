"""The throughput benchmark's generated outlet: new text in unchanged markup, and a kept site served again."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import throughput  # noqa: E402
import write_batches  # noqa: E402

PAGE = (
    '<html><head><link rel="canonical" href="https://old.example/a"><script async src="x.js"></script></head>'
    "<body><article><h1>Napoli vince ancora</h1><iframe allowfullscreen frameborder=0></iframe>"
    "<p>Partita bellissima giocata davanti allo stadio pieno, tifosi contenti.</p></article></body></html>"
)


def test_a_republished_page_has_new_words_in_the_same_markup() -> None:
    rnd = random.Random(3)
    page = throughput.republish(PAGE, "{{BASE:bench}}/calcio/1", rnd, ["zzzz", "yyyy"])
    # Every tag as it was, the canonical URL apart: async and allowfullscreen stay attribute names.
    assert throughput.TAG_RE.findall(page) == throughput.TAG_RE.findall(
        PAGE.replace("https://old.example/a", "{{BASE:bench}}/calcio/1")
    )
    text = throughput.TAG_RE.sub(" ", page).split()
    original = throughput.TAG_RE.sub(" ", PAGE).split()
    assert len(text) == len(original)
    changed = [new for new, old in zip(text, original, strict=True) if new != old]
    assert changed and set(changed) <= {"zzzz", "yyyy", "zzzz,", "yyyy,", "zzzz.", "yyyy."}
    assert len(changed) == (sum(len(re.sub(r"\W", "", w)) >= 4 for w in original) + 2) // 3  # every third


def test_a_kept_site_loads_as_it_was_built(tmp_path: Path) -> None:
    articles = throughput.build_site(tmp_path / "site", 12, None)
    pages = throughput.site_pages(tmp_path / "site")
    assert [(path, file.read_text(encoding="utf-8")) for path, file in pages] == articles


def test_the_write_batch_benchmark_runs_its_rounds(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "argv", ["write_batches.py", "--stored", "200", "--batch", "50"])
    write_batches.main()
    lines = capsys.readouterr().out.splitlines()
    rounds = [dict(f.split("=") for f in line.split() if "=" in f) for line in lines if line.startswith("round=")]
    assert [(r["round"], r["stored"], r["batch"]) for r in rounds] == [("1", "200", "50"), ("2", "250", "50")]
    assert all(float(r[k]) > 0 for r in rounds for k in ("new_ms", "changed_ms", "copies_first_ms"))
