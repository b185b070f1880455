"""Every registry outlet with recorded fixtures: extraction equals the expected JSON exactly; page classes."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml.etree import XPath

from crawler.outlets.registry import load_builtin
from pipeline import pages
from pipeline.extract import extract
from pipeline.items import Discovery, ExtractedArticle, FetchedPage
from pipeline.pages.skysport import SkySportPage, SkySportPage2025
from pipeline.worker import process_page

FIXTURES = Path(__file__).parent / "fixtures" / "outlet_pages"
OUTLETS = load_builtin()
FIXTURE_OUTLETS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []
COMPARED = ("title", "authors", "published_at", "page_kind", "language", "text")


def run(meta_path: Path, outlet: str) -> dict[str, object]:
    meta = json.loads(meta_path.read_text("utf-8"))
    body = meta_path.with_suffix(".html").read_bytes()
    url = meta["url"]
    page = FetchedPage(outlet, url, body, meta["content_type"], 200, meta["fetched_at"], Discovery("listing", url))
    result = process_page(page)
    assert isinstance(result, ExtractedArticle), (meta_path, result)
    return {k: getattr(result, k) for k in COMPARED}


@pytest.mark.parametrize("outlet", [k for k in sorted(OUTLETS) if k in FIXTURE_OUTLETS])
def test_outlet_fixtures_extract_exactly(outlet: str) -> None:
    cases = sorted((FIXTURES / outlet).glob("*/*.json"))
    assert cases, f"no fixture pages for {outlet}"
    for meta_path in cases:
        expected = json.loads(meta_path.read_text("utf-8"))["expected"]
        got = run(meta_path, outlet)
        assert got == {k: expected[k] for k in COMPARED}, meta_path.relative_to(FIXTURES)


def test_every_fixture_folder_is_a_registry_outlet() -> None:
    assert FIXTURE_OUTLETS, "tests/fixtures/outlet_pages is missing: run tests/fixtures/make_outlet_pages.py"
    assert set(FIXTURE_OUTLETS) <= set(OUTLETS)


def test_fixtures_are_what_the_script_writes(tmp_path: Path) -> None:
    """Fixtures come from the generator, never edited by hand."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_outlet_pages", FIXTURES.parent / "make_outlet_pages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    module.write(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*") if p.is_file())
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (FIXTURES / rel).read_bytes(), rel


def test_page_classes_name_registry_outlets_and_their_hosts() -> None:
    for key, versions in pages.registry().items():
        assert key in OUTLETS, f"page class for unknown outlet {key}"
        spec = OUTLETS[key]
        for cls in versions:
            assert key == cls.OUTLET
            assert all(spec.owns(f"https://{d}/x") for d in cls.DOMAINS), cls
            # every version of a page class is pinned by a fixture of that version
            assert (FIXTURES / key / cls.version()).is_dir(), f"no fixture for {cls.__name__} ({cls.version()})"
        assert [c.VALID_UNTIL for c in versions] == sorted({c.VALID_UNTIL for c in versions})


def test_the_version_follows_the_fetch_date() -> None:
    url = "https://sport.sky.it/calciomercato/2025/10/28/x"
    assert pages.page_class("skysport", url, date(2025, 12, 31)) is SkySportPage2025
    assert pages.page_class("skysport", url, datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) is SkySportPage  # Rome: Jan 1
    assert pages.page_class("skysport", url, date(2026, 3, 4)) is SkySportPage
    assert pages.page_class(None, url, date(2026, 3, 4)) is SkySportPage  # a saved page: by host
    assert pages.page_class("file", url, date(2026, 3, 4)) is SkySportPage
    assert pages.page_class("gazzetta", "https://www.gazzetta.it/x", date(2026, 3, 4)) is None


def test_a_live_page_without_its_page_class_is_read_wrong() -> None:
    """The page class is there for a reason: the generic path calls Sky's live an article."""
    meta_path = next((FIXTURES / "skysport" / "current").glob("live.json"))
    meta = json.loads(meta_path.read_text("utf-8"))
    html = meta_path.with_suffix(".html").read_text("utf-8")
    fetched = datetime.fromisoformat(meta["fetched_at"])
    generic = extract(html, "https://example.org/copy", fetched, outlet="file")
    assert generic.page_kind == "article"
    assert extract(html, meta["url"], fetched, outlet="skysport").page_kind == "live"


def test_register_refuses_a_second_class_for_a_version() -> None:
    with pytest.raises(pages.PageClassError, match="already has a page class"):

        @pages.register
        class Again(SkySportPage):
            pass


def test_a_failing_method_costs_one_field(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(pages.OutletPage):
        OUTLET = "skysport"
        DROP = (XPath("//aside"),)

        def title(self) -> str | None:
            raise RuntimeError("selector out of date")

        def authors(self) -> list[str] | None:
            return ["Redazione"]

    html = "<html><body><aside>pubblicità</aside><p>testo</p></body></html>"
    from lxml.html import fromstring

    from pipeline.extract import read_signals

    tree = fromstring(html)
    page = Broken(tree, read_signals(tree), "https://sport.sky.it/x")
    assert page.prune() == 1 and b"aside" not in __import__("lxml.html").html.tostring(tree)
    base = extract("<html><head><title>Titolo di prova</title></head><body><p>x</p></body></html>",
                   "https://example.org/a", datetime.now(UTC))  # fmt: skip
    fixed = pages.apply(page, replace(base, title="Titolo"))
    assert fixed.title == "Titolo" and fixed.authors == ["Redazione"]
    assert "selector out of date" in caplog.text
