"""Properties: arbitrary bytes and URLs never make the extraction entry point, the URL canonicaliser,
the discovery parsers or the spider's URL intake raise.

Hypothesis runs derandomized (the same examples on every run and machine), so a failure here is
reproducible, and the example counts keep the file to a few seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.discovery import extract_links, parse_feed, parse_robots_sitemaps, parse_sitemap
from crawler.spiders.outlet import OutletSpider
from pipeline.items import Discovery, Duplicate, ExtractedArticle, FetchedPage, Reject
from pipeline.urls import article_id_for, clean_url, url_key
from pipeline.worker import MIN_TEXT_CHARS, process_page

PROPERTY = settings(derandomize=True, deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC).isoformat()

# Text that looks like the inside of a page: tags, entities, scripts, JSON-LD, odd characters.
MARKUP = st.lists(
    st.sampled_from(["<html>", "<head>", "<body>", "<p>", "</p>", "<div>", "</div>", "<article>", "<script>",
                     "</script>", '<script type="application/ld+json">', '{"@type": "NewsArticle", "datePublished": ',
                     '"2026-03-04T12:00:00+01:00"}', "[[[", "]]]", "<meta charset='latin-1'>", "&amp;", "&#0;", "\x00",
                     "<!--", "-->", "<![CDATA[", "]]>", "<title>", "</title>", "é", "\ufffd", "\ud7ff", " "])
    | st.text(max_size=40),
    max_size=60,
).map("".join)  # fmt: skip
BODIES = st.binary(max_size=4000) | MARKUP.map(lambda s: s.encode("utf-8", "surrogatepass"))
CONTENT_TYPES = st.sampled_from(["", "text/html", "text/html; charset=utf-8", "text/html; charset=bogus",
                                 "application/octet-stream", "text/html; charset=utf-16", "image/png"])  # fmt: skip
CONTENT_TYPES |= st.text(max_size=30)
URL_TEXT = urls() | st.text(max_size=80) | st.builds(lambda u, s: u + s, urls(), st.text(max_size=20))


def fetched(body: bytes, content_type: str, url: str) -> FetchedPage:
    return FetchedPage(outlet="x", url=url, body=body, content_type=content_type, http_status=200, fetched_at=NOW,
                       discovery=Discovery("feed", "http://127.0.0.1/rss.xml"))  # fmt: skip


@PROPERTY
@given(body=BODIES, content_type=CONTENT_TYPES, url=URL_TEXT)
@example(body=b"", content_type="", url="")
@example(body=b"<p>" * 50_000, content_type="text/html", url="http://[::1")
def test_process_page_returns_an_article_or_a_reject(body: bytes, content_type: str, url: str) -> None:
    result = process_page(fetched(body, content_type, url))
    assert isinstance(result, (ExtractedArticle, Reject))


@PROPERTY
@given(body=BODIES, content_type=CONTENT_TYPES, url=urls())
@example(body=b'<script type="application/ld+json">' + b"[" * 50_000 + b"</script>", content_type="",
         url="http://127.0.0.1/a")  # fmt: skip
def test_process_page_meets_no_error_of_its_own_on_a_fetchable_url(body: bytes, content_type: str, url: str) -> None:
    result = process_page(fetched(body, content_type, url))
    if isinstance(result, Reject):
        # extraction_error is process_page catching an exception of its own: a bug, even if contained
        assert result.reason in ("no_text", "not_html", "not_article"), (result.reason, result.detail)
    else:
        assert len(result.text) >= MIN_TEXT_CHARS and result.content_hash and result.url_key


@PROPERTY
@given(url=URL_TEXT)
@example(url="http://example.it:99999/x")
@example(url="http://[::1")
@example(url="https://www.example.it/a/../b/./c?utm_source=x&b=2&a=1#frag")
def test_the_url_canonicaliser_never_raises(url: str) -> None:
    cleaned = clean_url(url)
    key = url_key(url)
    assert isinstance(cleaned, str) and isinstance(key, str)
    assert len(article_id_for(key)) == 16


@PROPERTY
@given(url=urls())
def test_a_valid_urls_key_is_stable_under_cleaning(url: str) -> None:
    assert url_key(clean_url(url)) == url_key(url)
    assert clean_url(clean_url(url)) == clean_url(url)


@PROPERTY
@given(body=BODIES, url=URL_TEXT)
def test_discovery_parsers_never_raise(body: bytes, url: str) -> None:
    parse_feed(body, url)
    parse_sitemap(body, url)
    parse_robots_sitemaps(body, url)
    extract_links(body, url)


OUTLETS = """
[[outlet]]
key = "curvasud"
domains = ["127.0.0.31:8081"]
feeds = ["http://127.0.0.31:8081/rss.xml"]

[[outlet]]
key = "tribuna"
domains = ["127.0.0.33"]
feeds = ["http://127.0.0.33/rss.xml"]
"""


@pytest.fixture
def spider(tmp_path: Path) -> OutletSpider:
    (tmp_path / "outlets.toml").write_text(OUTLETS)
    crawler = get_crawler(OutletSpider, {"SPORTNEWS_DB": str(tmp_path / "a.duckdb")})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return OutletSpider.from_crawler(crawler, outlets_file=str(tmp_path / "outlets.toml"), since=2)


ON_OUTLETS = st.sampled_from(["http://127.0.0.31:8081/", "http://127.0.0.33/", "http://127.0.0.33:99999/"])


@PROPERTY
@given(key=st.sampled_from(["curvasud", "tribuna"]), url=URL_TEXT | st.builds(str.__add__, ON_OUTLETS, st.text()))
@example(key="curvasud", url="http://[::1")
@example(key="tribuna", url="http://127.0.0.33:99999/a")
def test_a_feed_entry_url_never_breaks_the_spider(spider: OutletSpider, key: str, url: str) -> None:
    outlet = spider.outlets[key]
    out = list(spider.consider(outlet, url, Discovery("feed", f"http://{outlet.domains[0]}/rss.xml")))
    assert all(outlet.owns(o.url) for o in out)


@PROPERTY
@given(location=st.text(max_size=60) | URL_TEXT | st.builds(str.__add__, ON_OUTLETS, st.text(max_size=30)))
@example(location="http://[::1/x")
def test_a_redirect_location_never_breaks_the_spider(spider: OutletSpider, location: str) -> None:
    url = "http://127.0.0.33/a/partenza"
    request = spider.article_request(spider.outlets["tribuna"], url, Discovery("feed", "http://127.0.0.33/rss.xml"), [])
    header = location.encode("latin-1", "replace")
    response = HtmlResponse(url, status=301, headers={"Location": header}, body=b"", request=request)
    out = list(spider.parse_article(response))
    assert out and all(isinstance(o, (Request, Reject, Duplicate)) for o in out)
    assert all(spider.outlets["tribuna"].owns(o.url) for o in out if isinstance(o, Request))
