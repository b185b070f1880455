"""The lazy metadata gives, field by field, what trafilatura's own extract_metadata gives."""

from __future__ import annotations

import gzip
import os
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from pipeline.extract import _date_params
from pipeline.page_metadata import PageMetadata
from pipeline.worker import decode_page

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SPORTNEWS_CORPUS") or ROOT.parent / "shared" / "corpus")
FIELDS = ("title", "author", "url", "date", "sitename", "categories", "tags", "description", "image")
FETCHED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def fixture_pages() -> list[Path]:
    return sorted(p for p in (ROOT / "tests" / "fixtures").rglob("*.html") if p.stat().st_size > 500)


def corpus_pages() -> list[Path]:
    return sorted(CORPUS.glob("*.html.gz")) if CORPUS.is_dir() else []


def compare(html: str, url: str, extensive: bool) -> None:
    tree = load_html(html)
    assert tree is not None
    params = _date_params(FETCHED, extensive)
    theirs = extract_metadata(deepcopy(tree), url, dict(params))
    ours = PageMetadata(tree, url, params)
    for name in FIELDS:
        assert getattr(ours, name) == getattr(theirs, name), name


@pytest.mark.parametrize("path", fixture_pages(), ids=lambda p: str(p.relative_to(ROOT / "tests" / "fixtures")))
def test_fixture_pages(path: Path) -> None:
    html = decode_page("text/html", path.read_bytes())
    compare(html, "https://www.example-sport.it/calcio/2026/03/04/pagina", extensive=True)


def test_corpus_pages_both_date_modes() -> None:
    pages = corpus_pages()
    if not pages:
        pytest.skip(f"no corpus at {CORPUS}")
    for i, path in enumerate(pages):
        html = decode_page("text/html", gzip.decompress(path.read_bytes()))
        compare(html, f"https://example.org/{path.name}", extensive=i % 2 == 0)


def test_fields_are_only_worked_out_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    import pipeline.page_metadata as pm

    monkeypatch.setattr(pm, "extract_catstags", lambda kind, tree: calls.append(kind) or [])
    monkeypatch.setattr(pm, "extract_author", lambda tree: calls.append("author"))
    page = "<html><head><title>Prova</title></head><body><p>testo</p></body></html>"
    meta = PageMetadata(load_html(page), "https://x.it/a", _date_params(FETCHED, False))
    assert meta.title == "Prova" and calls == []
    assert meta.tags == [] and calls == ["tag"]
    meta.author  # noqa: B018 - reading the field is the point
    meta.author  # noqa: B018 - cached: not searched twice
    assert calls == ["tag", "author"]
