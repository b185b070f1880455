"""sportnews evaluate: the scores, the per-page rows, the random halves, and the command itself."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from crawler.cli import main
from pipeline import evaluate as ev

OUTLET_PAGES = Path(__file__).parent / "fixtures" / "outlet_pages"


def test_token_scores() -> None:
    assert ev.token_prf("Il Milan vince", "il milan vince") == (1.0, 1.0, 1.0)
    p, r, f = ev.token_prf("il milan vince oggi", "il milan vince")
    assert (p, r) == (0.75, 1.0) and f == pytest.approx(6 / 7)
    assert ev.token_prf("", "il milan") == (0.0, 0.0, 0.0)
    assert ev.token_prf("短缺药品", "短缺药品")[2] == 1.0  # unspaced scripts count per character


@pytest.mark.parametrize(
    ("got", "ref", "same"),
    [
        ("2026-03-04T23:30:00+00:00", "2026-03-05T00:30:00+01:00", True),  # the instant, read in ref's offset
        ("2026-03-04T23:30:00+00:00", "2026-03-04", True),  # no offset in ref: UTC's day counts
        ("2026-03-04T23:30:00+00:00", "2026-03-05", True),  # ... and so does Rome's
        ("2026-03-04T12:00:00+01:00", "2026-03-03", False),
        ("2026-03-04", "2026-03-04T10:00:00+01:00", True),  # a day-only answer
        (None, "2026-03-04", False),
    ],
)
def test_same_local_date(got: str | None, ref: str, same: bool) -> None:
    assert ev.same_local_date(got, ref) is same


def test_title_and_author_measures() -> None:
    assert ev.title_exact("Milan,\u00a0Allegri  resta", "Milan, Allegri resta")
    assert not ev.title_exact("Milan, Allegri resta | Sky Sport", "Milan, Allegri resta")
    assert ev.author_f1(["Marco Pasotto"], ["marco pasotto"]) == 1.0
    assert ev.author_f1(["Luca Bianchin", "Redazione"], ["Luca Bianchin"]) == pytest.approx(2 / 3)
    assert ev.author_f1([], []) == 1.0 and ev.author_f1(["X"], []) == 0.0


def test_split_is_random_disjoint_and_repeatable() -> None:
    ids = [f"p{i}" for i in range(11)]
    a, b = ev.split_ids(ids, 0)
    assert a.isdisjoint(b) and a | b == set(ids) and abs(len(a) - len(b)) <= 1
    assert ev.split_ids(ids, 0) == (a, b) and ev.split_ids(ids, 1) != (a, b)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    cases = [c for c in ev.load_outlet_pages(OUTLET_PAGES) if c.outlet in ("skysport", "corriere")]
    assert len(cases) == 4
    return ev.evaluate(cases)


def test_rows_compare_both_extractors_field_by_field(rows: list[dict]) -> None:
    assert {r["extractor"] for r in rows} == {"ours", "trafilatura"} and len(rows) == 8
    ours = [r for r in rows if r["extractor"] == "ours"]
    assert all(r["text_f1"] == 1.0 and r["title_ok"] and r["date_ok"] and r["language_ok"] for r in ours)
    assert all(r["page_kind_ok"] for r in ours)
    traf = [r for r in rows if r["extractor"] == "trafilatura"]
    assert all("page_kind_ok" not in r for r in traf)  # trafilatura has no page kinds
    # the titles carry " | Sky Sport" / " - Corriere.it" for plain trafilatura
    assert sum(r["title_ok"] for r in traf) < len(traf)


def test_summaries_and_misses(rows: list[dict]) -> None:
    scores = ev.compare(rows)
    assert scores["ours"]["text_f1"].value == 1.0 and scores["ours"]["text_f1"].n == 4
    assert scores["ours"]["crashes"].value == 0 and scores["ours"]["rejects"].value == 0
    assert scores["trafilatura"]["title"].value < scores["ours"]["title"].value
    italian = ev.compare(rows, lambda r: r.get("ref_language") == "it")
    assert italian["ours"]["title"].n == 4
    assert ev.low_pages(rows) == []
    assert ev.low_pages(rows, "trafilatura")  # wrong titles are listed


def test_corpus_folder_and_rows_file(tmp_path: Path, rows: list[dict]) -> None:
    meta = json.loads((OUTLET_PAGES / "skysport" / "current" / "article.json").read_text("utf-8"))
    exp = meta["expected"]
    gold = {"id": "mine-sky", "url": meta["url"], "title": exp["title"], "text_reliable": True,
            "text": exp["text"], "published": exp["published_at"], "language": "it"}  # fmt: skip
    (tmp_path / "mine-sky.json").write_text(json.dumps(gold), "utf-8")
    body = (OUTLET_PAGES / "skysport" / "current" / "article.html").read_bytes()
    (tmp_path / "mine-sky.html.gz").write_bytes(gzip.compress(body))
    (tmp_path / "orphan.json").write_text(json.dumps({"id": "orphan"}), "utf-8")  # no page: skipped
    cases = ev.load_corpus(tmp_path)
    assert [c.id for c in cases] == ["mine-sky"] and cases[0].body == body and cases[0].source == "corpus"
    out = tmp_path / "rows.jsonl"
    assert ev.write_rows(rows, out) == len(rows)
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == [r["id"] for r in rows]


def test_sites_cases_use_the_rendered_pages() -> None:
    expected = {"articles": [{"outlet": "o", "url_path": "/a", "title": "T", "authors": ["A"],
                              "published_at": "2026-03-04T10:00:00+01:00", "language": "it", "page_kind": "live",
                              "text_snippet": "frase", "must_not_contain": ["Leggi anche"]}]}  # fmt: skip
    cases = ev.sites_cases(expected, lambda outlet, path: (f"http://127.0.0.1{path}", b"<html></html>", "text/html"))
    (case,) = cases
    assert case.url == "http://127.0.0.1/a" and case.gold["text_with"] == ["frase"]
    assert case.gold["page_kind"] == "live" and case.gold["published"].startswith("2026-03-04")


def test_command_prints_both_extractors_and_halves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(OUTLET_PAGES / "corriere", fixtures / "outlet_pages" / "corriere")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    meta = json.loads((OUTLET_PAGES / "ansa" / "current" / "article.json").read_text("utf-8"))
    exp = meta["expected"]
    gold = {"id": "x-ansa", "url": meta["url"], "title": exp["title"], "language": "it",
            "published": exp["published_at"], "text": exp["text"], "text_reliable": True}  # fmt: skip
    (corpus / "x-ansa.json").write_text(json.dumps(gold), "utf-8")
    (corpus / "x-ansa.html.gz").write_bytes(gzip.compress((OUTLET_PAGES / "ansa/current/article.html").read_bytes()))
    out = tmp_path / "rows.jsonl"
    code = main(["evaluate", str(corpus), "--rows", str(out), "--fixtures", str(fixtures), "--workers", "1"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "trafilatura" in printed and "half A" in printed and "title exact" in printed and "Italian" in printed
    lines = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert {(r["set"], r["extractor"]) for r in lines} == {
        ("corpus", "ours"), ("corpus", "trafilatura"), ("fixtures", "ours"), ("fixtures", "trafilatura"),
    }  # fmt: skip
    assert main(["evaluate", str(tmp_path / "missing")]) == 2
