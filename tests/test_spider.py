"""The generic spider's decisions: what to fetch, what is a duplicate, how redirects and failures end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.archive_view import KnownArticles, SettledUrls
from crawler.spiders.outlet import OutletSpider, failure_reason
from pipeline.items import Discovery, Duplicate, FetchedPage, Reject
from pipeline.urls import article_id_for, url_key

BASE = "http://127.0.0.31:8081"
OUTLETS = f"""
[[outlet]]
key = "curvasud"
domains = ["127.0.0.31:8081"]
feeds = ["{BASE}/rss.xml"]
article_url = '/calcio/\\d{{4}}/\\d{{2}}/\\d{{2}}/[a-z0-9-]+$'
"""


@pytest.fixture
def spider(tmp_path: Path) -> OutletSpider:
    (tmp_path / "outlets.toml").write_text(OUTLETS)
    crawler = get_crawler(OutletSpider, {"SPORTNEWS_DB": str(tmp_path / "a.duckdb")})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    sp = OutletSpider.from_crawler(crawler, outlets_file=str(tmp_path / "outlets.toml"), since=2)
    return sp


def feed(*items: tuple[str, datetime]) -> bytes:
    body = "".join(
        f"<item><title>t</title><link>{u}</link><pubDate>{d.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for u, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'.encode()


def run_feed(spider: OutletSpider, body: bytes) -> list[object]:
    req = Request(f"{BASE}/rss.xml", meta={"outlet": "curvasud", "source_kind": "feed"})
    return list(spider.parse_feed(TextResponse(f"{BASE}/rss.xml", body=body, request=req)))


def test_feed_entries_become_article_requests_once(spider: OutletSpider) -> None:
    now = datetime.now(UTC)
    a = f"{BASE}/calcio/2026/03/04/napoli-vince"
    out = run_feed(
        spider,
        feed(
            (a, now),
            (a, now),  # listed twice
            (a + "?utm_source=twitter", now),  # a tracking variant
            (f"{BASE}/calcio/serie-a/classifica", now),  # not an article
            ("https://elsewhere.it/calcio/2026/03/04/x", now),  # off the outlet
            (f"{BASE}/calcio/2026/01/01/vecchio", now - timedelta(days=5)),  # outside --since 2
        ),
    )
    requests = [o for o in out if isinstance(o, Request)]
    dups = [o for o in out if isinstance(o, Duplicate)]
    assert [r.url for r in requests] == [a]
    assert requests[0].meta["discovery"].via == "feed"
    assert [(d.url, d.kind, d.duplicate_of) for d in dups] == [
        (a + "?utm_source=twitter", "url", article_id_for(url_key(a)))
    ]
    stats = spider.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["sportnews/curvasud/skipped/not_article"] == 1
    assert stats["sportnews/curvasud/skipped/offsite"] == 1
    assert stats["sportnews/curvasud/skipped/too_old"] == 1


@pytest.mark.parametrize("packed", [False, True])  # the distributed seeder's dicts, crawler/archive_view.py
def test_known_articles_are_fetched_again_only_when_changed(spider: OutletSpider, packed: bool) -> None:
    now = datetime.now(UTC)
    a, b = f"{BASE}/calcio/2026/03/04/a", f"{BASE}/calcio/2026/03/04/b"
    spider.known = {url_key(a): ("id-a", now - timedelta(hours=1)), url_key(b): ("id-b", now - timedelta(hours=1))}
    if packed:
        spider.known = KnownArticles.build(((k,), *v) for k, v in spider.known.items())
    out = run_feed(spider, feed((a, now - timedelta(hours=2)), (b, now)))
    assert [r.url for r in out if isinstance(r, Request)] == [b]
    stats = spider.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert (stats["sportnews/curvasud/skipped/known"], stats["sportnews/curvasud/refetched/changed"]) == (1, 1)


@pytest.mark.parametrize("packed", [False, True])
def test_settled_urls_are_not_retried_unless_transient(spider: OutletSpider, packed: bool) -> None:
    now = datetime.now(UTC)
    gone, broken = f"{BASE}/calcio/2026/03/04/gone", f"{BASE}/calcio/2026/03/04/broken"
    spider.settled = {gone: "http_404", broken: "http_500"}
    if packed:
        spider.settled = SettledUrls.build(spider.settled.items())
    out = run_feed(spider, feed((gone, now), (broken, now)))
    assert [r.url for r in out if isinstance(r, Request)] == [broken]


def test_max_articles_caps_each_outlet(spider: OutletSpider) -> None:
    now = datetime.now(UTC)
    spider.max_articles = 2
    out = run_feed(spider, feed(*((f"{BASE}/calcio/2026/03/04/a{i}", now) for i in range(5))))
    assert len([r for r in out if isinstance(r, Request)]) == 2


def article_response(spider: OutletSpider, url: str, status: int, headers: dict[str, str] | None = None) -> Response:
    req = spider.article_request(spider.outlets["curvasud"], url, Discovery("feed", f"{BASE}/rss.xml"), [])
    return HtmlResponse(url, status=status, headers=headers or {}, body=b"<html></html>", request=req)


def test_a_page_becomes_a_fetched_page(spider: OutletSpider) -> None:
    url = f"{BASE}/calcio/2026/03/04/a"
    (page,) = spider.parse_article(article_response(spider, url, 200, {"Content-Type": "text/html; charset=cp1252"}))
    assert isinstance(page, FetchedPage)
    assert (page.url, page.content_type, page.body) == (url, "text/html; charset=cp1252", b"<html></html>")


def test_redirect_to_an_article_is_followed_and_recorded(spider: OutletSpider) -> None:
    old, new = f"{BASE}/calcio/2026/03/04/old", f"{BASE}/calcio/2026/03/04/new"
    out = list(spider.parse_article(article_response(spider, old, 301, {"Location": "/calcio/2026/03/04/new"})))
    dup, req = out
    assert isinstance(dup, Duplicate) and (dup.url, dup.kind, dup.duplicate_of_url) == (old, "redirect", new)
    assert isinstance(req, Request) and req.url == new and req.meta["redirect_chain"] == [old]


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("https://elsewhere.it/calcio/2026/03/04/x", "redirect_offsite"),
        (f"{BASE}/", "redirect_not_article"),
        (f"{BASE}/calcio/2026/03/04/old", "redirect_loop"),
        ("", "redirect_broken"),
    ],
)
def test_bad_redirects_are_rejects(spider: OutletSpider, location: str, reason: str) -> None:
    old = f"{BASE}/calcio/2026/03/04/old"
    headers = {"Location": location} if location else {}
    (rej,) = list(spider.parse_article(article_response(spider, old, 302, headers)))
    assert isinstance(rej, Reject) and rej.reason == reason


def failed(exc: Exception, url: str = f"{BASE}/calcio/2026/03/04/a") -> Failure:
    f = Failure(exc)
    f.request = Request(url, meta={"outlet": "curvasud", "source_kind": "robots"})  # type: ignore[attr-defined]
    return f


def test_failure_reasons() -> None:
    resp = HtmlResponse(f"{BASE}/x", status=404, body=b"")
    assert failure_reason(failed(HttpError(resp, "404")))[:1] == ("http_404",)
    assert failure_reason(failed(IgnoreRequest("Forbidden by robots.txt")))[0] == "robots"
    assert failure_reason(failed(DNSLookupError("no such host")))[0] == "dns"


def test_unreachable_https_robots_falls_back_to_http(spider: OutletSpider) -> None:
    (req,) = list(spider.source_failed(failed(DNSLookupError("x"), "https://www.example.it/robots.txt")))
    assert isinstance(req, Request) and req.url == "http://www.example.it/robots.txt"
    (rej,) = list(spider.source_failed(failed(DNSLookupError("x"), "http://www.example.it/robots.txt")))
    assert isinstance(rej, Reject) and (rej.stage, rej.reason) == ("source", "source_dns")
