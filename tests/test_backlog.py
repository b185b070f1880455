"""The article backlog: claimed URLs wait in the spider and reach the scheduler a window at a time.

First the backlog alone, then the spider's use of it (callbacks release what their request frees),
then a real crawl whose server counts how many article requests it serves at once.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.backlog import ArticleBacklog
from crawler.spiders.outlet import OutletSpider
from pipeline.items import Discovery, Duplicate, FetchedPage, Reject
from storage.connection import opened
from tests.reliability_site import (
    FAST,
    BadSites,
    Behaviour,
    article_html,
    outlet_toml,
    redirect,
    rss,
    sportnews,
    static,
)
from tests.test_spider import BASE, OUTLETS, feed, run_feed


def found(n: int) -> Discovery:
    return Discovery("feed", f"{BASE}/rss.xml", title=f"t{n}")


# -- the backlog alone ----------------------------------------------------------------------------
def test_each_outlet_sends_a_window_and_the_rest_waits_in_order() -> None:
    backlog = ArticleBacklog(2)
    sent = [backlog.admit("a", f"u{i}", found(i)) for i in range(5)]
    assert sent == [True, True, False, False, False]
    assert backlog.admit("b", "v0", found(0))  # another outlet has a window of its own
    assert (len(backlog), backlog.out("a"), backlog.out("b")) == (3, 2, 1)
    assert backlog.release("a") == []  # nothing ended: the window is full
    backlog.ended("a")
    assert [u for u, _ in backlog.release("a")] == ["u2"]
    backlog.ended("a")
    backlog.ended("a")
    assert [u for u, _ in backlog.release("a")] == ["u3", "u4"]
    assert (len(backlog), backlog.out("a")) == (0, 2)  # the peak of 3 waiting: the spider's stat, below


def test_a_waiting_url_comes_back_with_everything_its_listing_said() -> None:
    backlog = ArticleBacklog(1)
    listed = [
        Discovery("news-sitemap", f"{BASE}/news.xml", "2026-03-04T12:30:00+01:00", "2026-03-04T12:30:00+01:00",
                  "2026-03-04T13:00:00+01:00", "Città: l'Inter è prima"),
        Discovery("feed", f"{BASE}/rss.xml"),
        Discovery("sitemap", f"{BASE}/news.xml", lastmod="2026-03-05T08:00:00+00:00"),
    ]  # fmt: skip
    assert backlog.admit("a", "u0", found(0))
    for i, d in enumerate(listed):
        assert not backlog.admit("a", f"https://x.it/ü/{i}", d)
    for i, d in enumerate(listed):
        backlog.ended("a")
        assert backlog.release("a") == [(f"https://x.it/ü/{i}", d)]


def test_waiting_urls_are_packed() -> None:
    """20,000 URLs of a news sitemap waiting their turn, as (URL, Discovery) objects and packed."""
    import gc
    import tracemalloc

    def listed(n: int) -> tuple[str, Discovery]:
        when = f"2026-03-04T12:{n % 60:02d}:00+01:00"
        return (f"https://www.x.it/calcio/serie-a/2026/03/04/titolo-di-un-articolo-di-calcio-{n}.shtml",
                Discovery("news-sitemap", f"{BASE}/sitemap-news.xml", when, when, when,
                          f"Il titolo dell'articolo numero {n} sul calcio"))  # fmt: skip

    def held(build: Any) -> int:
        gc.collect()
        tracemalloc.start()
        try:
            kept = build()
            gc.collect()
            assert kept
            return tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()

    def as_objects() -> list[tuple[str, Discovery]]:
        return [listed(n) for n in range(20_000)]

    def packed() -> ArticleBacklog:
        backlog = ArticleBacklog(1)
        for n in range(20_000):
            backlog.admit("a", *listed(n))
        return backlog

    objects, compact = held(as_objects), held(packed)
    assert compact < 0.5 * objects, (compact, objects)  # measured: 4.5 MB against 10.7 MB


def test_a_url_found_while_others_wait_goes_behind_them() -> None:
    backlog = ArticleBacklog(1)
    assert backlog.admit("a", "u0", found(0)) and not backlog.admit("a", "u1", found(1))
    backlog.ended("a")  # a place is free, but u1 waited first
    assert not backlog.admit("a", "u2", found(2))
    assert [u for u, _ in backlog.release("a")] == ["u1"]


def test_a_redirect_hop_holds_a_place_and_ends_never_go_below_zero() -> None:
    backlog = ArticleBacklog(2)
    backlog.admit("a", "u0", found(0))
    backlog.ended("a")  # u0 answered with a redirect...
    backlog.hold("a")  # ...whose next hop is sent
    backlog.admit("a", "u1", found(1))
    assert not backlog.admit("a", "u2", found(2))
    for _ in range(5):
        backlog.ended("a")
    assert backlog.out("a") == 0
    assert [u for u, _ in backlog.release("a")] == ["u2"]


def test_reopen_starts_every_window_afresh() -> None:
    backlog = ArticleBacklog(1)
    for outlet in ("a", "b"):
        for i in range(3):
            backlog.admit(outlet, f"{outlet}{i}", found(i))
    # a request that never came back keeps its place: nothing would be released...
    assert backlog.release("a") == [] and backlog.release("b") == []
    # ...until the spider is idle and the places are given back
    assert [(o, u) for o, (u, _) in backlog.reopen()] == [("a", "a1"), ("b", "b1")]
    assert len(backlog) == 2


def test_window_zero_lets_everything_through() -> None:
    backlog = ArticleBacklog(0)
    assert all(backlog.admit("a", f"u{i}", found(i)) for i in range(1000))
    backlog.hold("a")
    assert (len(backlog), backlog.out("a"), backlog.release("a"), backlog.reopen()) == (0, 0, [], [])


# -- the spider ------------------------------------------------------------------------------------
def spider_with(tmp_path: Path, settings: dict[str, Any]) -> OutletSpider:
    (tmp_path / "outlets.toml").write_text(OUTLETS)
    crawler = get_crawler(OutletSpider, {"SPORTNEWS_DB": str(tmp_path / "a.duckdb"), **settings})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return OutletSpider.from_crawler(crawler, outlets_file=str(tmp_path / "outlets.toml"), since=2)


@pytest.fixture
def spider(tmp_path: Path) -> OutletSpider:
    return spider_with(tmp_path, {"SPORTNEWS_FRONTIER_WINDOW": 2})


URLS = [f"{BASE}/calcio/2026/03/04/a{i}" for i in range(5)]


def requests_of(out: list[object]) -> list[str]:
    return [o.url for o in out if isinstance(o, Request)]


def response_to(request: Request, status: int = 200, headers: dict[str, str] | None = None) -> HtmlResponse:
    return HtmlResponse(request.url, status=status, headers=headers or {}, body=b"<html></html>", request=request)


def test_a_feed_sends_a_window_and_each_answer_releases_the_next(spider: OutletSpider) -> None:
    now = datetime.now(UTC)
    first = [o for o in run_feed(spider, feed(*((u, now) for u in URLS))) if isinstance(o, Request)]
    assert [r.url for r in first] == URLS[:2]
    stats = spider.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["sportnews/curvasud/discovered"] == 5  # decided at discovery, all five
    assert stats["sportnews/frontier/waiting_peak"] == 3
    out = list(spider.parse_article(response_to(first[0])))
    # the released request comes before the page, which waits for its extraction
    assert isinstance(out[0], Request) and out[0].url == URLS[2] and isinstance(out[1], FetchedPage)
    out = list(spider.article_failed(failure_of(first[1])))
    assert requests_of(out) == [URLS[3]] and isinstance(out[-1], Reject)


def failure_of(request: Request) -> Failure:
    f = Failure(IgnoreRequest("Forbidden by robots.txt"))
    f.request = request  # type: ignore[attr-defined]
    return f


def test_a_redirect_keeps_its_place_for_the_next_hop(spider: OutletSpider) -> None:
    now = datetime.now(UTC)
    first = [o for o in run_feed(spider, feed(*((u, now) for u in URLS))) if isinstance(o, Request)]
    out = list(spider.parse_article(response_to(first[0], 301, {"Location": "/calcio/2026/03/04/nuovo"})))
    assert isinstance(out[0], Duplicate) and requests_of(out) == [f"{BASE}/calcio/2026/03/04/nuovo"]
    # a redirect to a URL already claimed sends no hop: its place goes to the next URL waiting
    out = list(spider.parse_article(response_to(first[1], 301, {"Location": URLS[4]})))
    assert requests_of(out) == [URLS[2]]


def test_article_requests_name_their_feed_as_referer_never_downgrading(spider: OutletSpider) -> None:
    outlet = spider.outlets["curvasud"]
    assert spider.article_request(outlet, URLS[0], found(0), []).headers.get("Referer") == f"{BASE}/rss.xml".encode()
    from_https = Discovery("sitemap", "https://127.0.0.31:8081/sitemap.xml")
    assert spider.article_request(outlet, URLS[0], from_https, []).headers.get("Referer") is None


class Engine:
    """What the spider's signal handlers use of Scrapy's engine."""

    def __init__(self) -> None:
        self.crawled: list[str] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request.url)


def test_a_dropped_request_gives_its_place_back_and_idle_releases_the_rest(spider: OutletSpider) -> None:
    now = datetime.now(UTC)
    spider.crawler.engine = Engine()  # type: ignore[assignment]
    first = [o for o in run_feed(spider, feed(*((u, now) for u in URLS))) if isinstance(o, Request)]
    spider.request_dropped(first[0], spider)
    assert spider.crawler.engine.crawled == [URLS[2]]  # type: ignore[union-attr]
    spider.request_dropped(Request(f"{BASE}/rss.xml", meta={"outlet": "curvasud"}), spider)  # not an article
    assert spider.crawler.engine.crawled == [URLS[2]]  # type: ignore[union-attr]
    # first[1] and URLS[2] were swallowed somewhere: the spider goes idle with two URLs waiting
    with pytest.raises(DontCloseSpider):
        spider.idle(spider)
    assert spider.crawler.engine.crawled == URLS[2:]  # type: ignore[union-attr]
    spider.idle(spider)  # nothing waits: the spider may close


@pytest.mark.parametrize(
    "settings", [{"SPORTNEWS_FRONTIER_WINDOW": 0}, {"SPORTNEWS_FRONTIER_WINDOW": 2, "JOBDIR": "x"}]
)
def test_without_a_window_every_url_is_sent_at_once(tmp_path: Path, settings: dict[str, Any]) -> None:
    spider = spider_with(tmp_path, settings)
    now = datetime.now(UTC)
    assert requests_of(run_feed(spider, feed(*((u, now) for u in URLS)))) == URLS


# -- a real crawl ----------------------------------------------------------------------------------
class Counter:
    """Counts the article requests a server is answering at once, and what each sent as Referer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.now = self.most = 0
        self.referers: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def slow(self, behaviour: Behaviour) -> Behaviour:
        def answer(h: Any) -> None:
            with self._lock:
                self.now += 1
                self.most = max(self.most, self.now)
                self.referers[h.path] = h.headers.get("Referer")
            try:
                time.sleep(self.seconds)
                behaviour(h)
            finally:
                with self._lock:
                    self.now -= 1

        return answer


IP = "127.0.0.47"
WINDOW = 2


def test_a_crawl_serves_a_window_at_a_time_and_ends_every_url(tmp_path: Path) -> None:
    site, counter = BadSites([IP]), Counter(0.15)
    with site.serving():
        b = site.base(IP)
        paths = [f"/a/articolo-{i}" for i in range(10)] + ["/a/mancante", "/a/vietata", "/a/spostata"]
        for i in range(10):
            site.route(IP, f"/a/articolo-{i}", counter.slow(static(article_html(200 + i, f"Articolo {i}"))))
        site.route(IP, "/a/mancante", counter.slow(static("<html><body>404</body></html>", status=404)))
        site.route(IP, "/a/vietata", counter.slow(static(article_html(220, "Vietata"))))
        site.route(IP, "/a/spostata", counter.slow(redirect(b + "/a/arrivo")))
        site.route(IP, "/a/arrivo", counter.slow(static(article_html(221, "Arrivo"))))
        site.route(IP, "/robots.txt", static("User-agent: *\nDisallow: /a/vietata\n", "text/plain"))
        day = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        site.route(IP, "/rss.xml", static(rss([(b + p, day) for p in paths]), "application/rss+xml"))
        outlets = tmp_path / "outlets.toml"
        outlets.write_text(outlet_toml("coda", [f"{IP}:{site.port}"], r"/a/[a-z0-9-]+$", feeds=[b + "/rss.xml"],
                                       robots=True))  # fmt: skip
        db = tmp_path / "archive.duckdb"
        res = sportnews("crawl", "--outlets", str(outlets), "--db", str(db), "--log-level", "WARNING", *FAST, "-s",
                        f"SPORTNEWS_FRONTIER_WINDOW={WINDOW}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    with opened(db, read_only=True) as con:
        articles = {u for (u,) in con.execute("SELECT url FROM articles").fetchall()}
        rejects = dict(con.execute("SELECT url, reason FROM rejects").fetchall())
        duplicates = dict(con.execute("SELECT url, duplicate_of_url FROM duplicates").fetchall())
    assert articles == {b + f"/a/articolo-{i}" for i in range(10)} | {b + "/a/arrivo"}
    assert rejects == {b + "/a/mancante": "http_404", b + "/a/vietata": "robots"}
    assert duplicates == {b + "/a/spostata": b + "/a/arrivo"}
    # 8 connections were allowed to the outlet; its window kept it to 2 at once
    assert counter.most == WINDOW, counter.most
    assert set(counter.referers.values()) == {b + "/rss.xml"}
