"""htmldate's free-text dates read in the page's language (pipeline/date_locales.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import htmldate.extractors
import lxml.html
import pytest

from pipeline.date_locales import dates_in, install, page_languages
from pipeline.items import Discovery, ExtractedArticle, FetchedPage
from pipeline.worker import process_page
from tests.ops_site import article_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<html lang="it-IT"><body></body></html>', ("it", "en")),
        ('<html lang="de"><body></body></html>', ("de", "it", "en")),
        ('<html lang="EN_us"><body></body></html>', ("en", "it")),
        ('<html xml:lang="fr"><body></body></html>', ("fr", "it", "en")),
        ("<html><body></body></html>", None),  # no language named: all of dateparser's
        ('<html lang="klingon"><body></body></html>', None),
        ('<html lang="xx"><body></body></html>', None),  # not one dateparser knows
    ],
)
def test_the_page_names_its_languages(html: str, expected: tuple[str, ...] | None) -> None:
    assert page_languages(lxml.html.document_fromstring(html)) == expected


def test_month_names_and_parser_follow_the_page_and_stay_whole_outside() -> None:
    assert install()
    with dates_in(("de", "it", "en")):
        months = htmldate.extractors.month_words()
        parser = htmldate.extractors.get_external_parser()
    assert {"novembre", "november", "marz"} <= months or {"novembre", "november", "märz"} <= months
    assert "marraskuu" not in months  # Finnish: not this page's
    assert parser.languages == ["de", "it", "en"]
    assert parser._settings.STRICT_PARSING  # htmldate's own settings kept
    with dates_in(None):
        assert "marraskuu" in htmldate.extractors.month_words()
        assert htmldate.extractors.get_external_parser().languages is None


LOADED = (
    "import sys; from pipeline.date_locales import dates_in; import htmldate.extractors as x; "
    "langs = None if sys.argv[1] == 'all' else tuple(sys.argv[1].split(',')); "
    "ctx = dates_in(langs); ctx.__enter__(); "
    "x.month_words(); x.get_external_parser().get_date_data('3 novembre 2026'); "
    "print(sum(1 for m in sys.modules if m.startswith('dateparser.data.date_translation_data.')))"
)


@pytest.mark.parametrize(("languages", "most"), [("it,en", 2), ("all", 205)])
def test_only_the_pages_locales_are_loaded(languages: str, most: int) -> None:
    # A fresh interpreter: dateparser keeps every locale it loaded for the life of the process.
    out = subprocess.run([sys.executable, "-c", LOADED, languages], capture_output=True, text=True, check=True)
    loaded = int(out.stdout)
    assert loaded <= most and (languages != "all" or loaded > 100), loaded


EXTRACTED = """
import sys
from pipeline.items import Discovery, FetchedPage
from pipeline.worker import process_page
page = FetchedPage(outlet="x", url="https://www.example.it/calcio/senza-data", body=sys.stdin.buffer.read(),
                   content_type="text/html; charset=utf-8", http_status=200, fetched_at="2026-11-27T10:00:00+00:00",
                   discovery=Discovery("listing", "https://www.example.it/"))
process_page(page)
print(sum(1 for m in sys.modules if m.startswith("dateparser.data.date_translation_data.")))
"""


@pytest.mark.parametrize(("lang", "most"), [(' lang="it"', 2), ("", 205)], ids=["italian", "unnamed"])
def test_a_page_without_a_structured_date_loads_its_own_locales(lang: str, most: int) -> None:
    # An address with digits and no year or month: htmldate's extensive search then looks the words
    # up among the month names of every locale it reads in (the benchmark's corpus pages do this).
    paragraphs = "".join(f"<p>{p}</p>" for p in article_text(7))
    html = (
        f"<!DOCTYPE html><html{lang}><head><title>Senza data</title></head><body><main><article><h1>Senza data</h1>"
        f"<div>Contatti: Stadio Olimpico, 33I-00135</div>{paragraphs}</article></main></body></html>"
    )
    out = subprocess.run([sys.executable, "-c", EXTRACTED], input=html.encode(), capture_output=True, check=True)
    loaded = int(out.stdout)
    assert loaded <= most and (most == 2 or loaded > 100), loaded


@pytest.mark.parametrize(
    ("lang", "written", "day"),
    [("it", "Pubblicato il 3 novembre 2026", "2026-11-03"), ("de", "Veröffentlicht am 3. März 2026", "2026-03-03")],
)
def test_a_date_written_in_the_text_is_still_found(lang: str, written: str, day: str) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in article_text(7))
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Senza data</title></head><body><main><article>'
        f'<h1>Senza data</h1><div class="byline">{written}</div>{paragraphs}</article></main></body></html>'
    )
    page = FetchedPage(outlet="x", url="https://www.example.it/calcio/senza-data", body=html.encode(),
                       content_type="text/html; charset=utf-8", http_status=200,
                       fetched_at=datetime(2026, 11, 27, 10, tzinfo=UTC).isoformat(),
                       discovery=Discovery("listing", "https://www.example.it/"))  # fmt: skip
    art = process_page(page)
    assert isinstance(art, ExtractedArticle), art
    assert art.published_at is not None and art.published_at.startswith(day), art.published_at
