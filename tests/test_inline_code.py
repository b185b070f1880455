"""Inline scripts and styles emptied before a page is parsed (pipeline/inline_code.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline import worker
from pipeline.inline_code import strip_inline_code
from pipeline.items import Discovery, ExtractedArticle, FetchedPage
from pipeline.worker import init_worker, process_page

LD = (b'<script type="application/ld+json">'
      b'{"@type": "NewsArticle", "datePublished": "2026-11-20T10:00:00+01:00"}</script>')  # fmt: skip


EMPTIED = {
    "scripts and styles emptied, JSON-LD and external scripts kept": (
        b"<html><head><style>p { color: red }</style>" + LD + b'<script src="a.js"></script>'
        b"<script>var s = '<p>not text</p>';</script></head><body><p>Testo</p></body></html>",
        b"<html><head><style></style>" + LD + b'<script src="a.js"></script>'
        b"<script></script></head><body><p>Testo</p></body></html>",
    ),
    "tags in any case, closing tags with spaces": (
        b"<P>a</P><SCRIPT TYPE='text/javascript'>x < y</SCRIPT ><Style media=all>b{}</STYLE><p>b</p>",
        b"<P>a</P><SCRIPT TYPE='text/javascript'></SCRIPT ><Style media=all></STYLE><p>b</p>",
    ),
    "a quoted > does not end the opening tag": (
        b"<script data-x=\"a>b\" data-y='>'>code()</script><p>kept</p>",
        b"<script data-x=\"a>b\" data-y='>'></script><p>kept</p>",
    ),
    # An opening tag commented out must not swallow the page up to the next real closing tag.
    "a script tag inside a comment is text": (
        b'<!-- <script src="old.js"> --><p>Il testo</p><script>x()</script><p>fine</p>',
        b'<!-- <script src="old.js"> --><p>Il testo</p><script></script><p>fine</p>',
    ),
    "an element left open keeps the rest of the page": (
        b"<p>uno</p><script>x()</script><p>due</p><script>never closed <p>tre</p>",
        b"<p>uno</p><script></script><p>due</p><script>never closed <p>tre</p>",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("page", "expected"), EMPTIED.values(), ids=EMPTIED.keys())
def test_the_text_of_scripts_and_styles_is_removed(page: bytes, expected: bytes) -> None:
    assert strip_inline_code(page) == expected


@pytest.mark.parametrize("page", [
    b"<scripted>a</scripted><styles>b</styles><style-x>c</style-x>",  # names that only begin like them
    b"<html><body><p>Nessuno script qui.</p></body></html>",
    "<html><script>x()</script><p>ciao</p></html>".encode("utf-16"),  # its tags are not ASCII bytes
], ids=["look-alike names", "no inline code", "utf-16"])  # fmt: skip
def test_pages_with_nothing_to_empty_are_returned_as_they_are(page: bytes) -> None:
    assert strip_inline_code(page) is page


ARTICLE = (
    "<html><head><title>Derby, la Roma vince</title>" + LD.decode() + "</head><body><article>"
    "<h1>Derby, la Roma vince</h1>"
    + "".join(f"<p>Paragrafo {n}: la Roma ha battuto la Lazio nel derby della capitale con due gol nel "
              f"secondo tempo, davanti a sessantamila spettatori all'Olimpico.</p>" for n in range(8))
    + "</article></body></html>"
)  # fmt: skip


def fetched(body: bytes) -> FetchedPage:
    return FetchedPage(outlet="curvasud", url="https://curvasud.it/calcio/derby-roma-lazio", body=body,
                       content_type="text/html; charset=utf-8", http_status=200,
                       fetched_at=datetime(2026, 11, 20, 12, tzinfo=UTC).isoformat(),
                       discovery=Discovery(via="listing", source_url="https://curvasud.it/"))  # fmt: skip


@pytest.fixture(scope="module")
def extraction_worker() -> None:
    init_worker()


@pytest.mark.usefixtures("extraction_worker")
def test_a_page_heavy_with_inline_code_extracts_as_it_would_without() -> None:
    """Two megabytes of bundled script and CSS, with markup inside its strings: the article is the
    same as from the page without them, and the worker parses only the emptied page."""
    bundle = '<script>window.__STATE__ = {"html": "<div class=\'x\'>' + "ciao " * 200_000 + '</div>"};</script>'
    css = "<style>" + ".a{color:red}" * 50_000 + "</style>"
    heavy = ARTICLE.replace("</head>", bundle + css + "</head>").encode()
    assert len(heavy) > 1_500_000
    light, rich = process_page(fetched(ARTICLE.encode())), process_page(fetched(heavy))
    assert isinstance(light, ExtractedArticle) and isinstance(rich, ExtractedArticle)
    assert (rich.text, rich.title, rich.published_at, rich.language) == (
        light.text, light.title, light.published_at, light.language)  # fmt: skip
    assert rich.published_at is not None and rich.published_at.startswith("2026-11-20")  # JSON-LD was read

    seen: list[int] = []
    decode = worker.decode_page

    def recording(content_type: str | None, body: bytes) -> str:
        seen.append(len(body))
        return decode(content_type, body)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker, "decode_page", recording)
        process_page(fetched(heavy))
    assert seen and seen[0] < len(ARTICLE.encode()) + 200
