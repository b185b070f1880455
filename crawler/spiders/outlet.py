"""The one generic spider: reads outlet specs, discovers article URLs, fetches article pages."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.archive_view import KnownArticles, SettledUrls
from crawler.backlog import ArticleBacklog
from crawler.discovery import Entry, extract_links, parse_feed, parse_robots_sitemaps, parse_sitemap
from crawler.outlets.registry import select_outlets
from crawler.outlets.spec import OutletSpec, http_fallback
from crawler.source_cache import SourceCache, source_url
from pipeline.digest_keys import DigestSet, StrByDigest
from pipeline.items import Discovery, Duplicate, FetchedPage, Reject
from pipeline.urls import article_id_for, clean_url, url_key
from storage.connection import ArchiveError, opened
from storage.queries import KnownArticle, known_articles, settled_urls

logger = logging.getLogger(__name__)

REDIRECT_CODES = (301, 302, 303, 307, 308)
# Reject reasons worth another try on the next run; every other reason is final.
TRANSIENT_REASONS = frozenset(
    {"http_429", "http_500", "http_502", "http_503", "http_504", "http_408", "http_522", "http_524", "timeout",
     "dns", "connection_refused", "connection_lost", "fetch_error", "extraction_error"}
)  # fmt: skip


def parse_iso(value: str | None) -> datetime | None:
    """An aware datetime from an ISO 8601 string (naive ones are taken as UTC), None if unparsable."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def fetchable(url: str) -> bool:
    """True for an http(s) URL with a host that a request can be made of.

    Feeds and redirects carry URLs that are not: a port past 65535 or a broken IPv6 host made
    Scrapy's Request raise inside a spider callback, which lost the rest of that feed.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def absolute(base: str, url: str) -> str:
    """``url`` resolved against ``base``, or "" when it is not a URL at all ("http://[::1")."""
    try:
        return urljoin(base, url)
    except ValueError:
        return ""


def _scrapy_errors(*names: str) -> tuple[type[BaseException], ...]:
    """Scrapy's own download exceptions (2.13+), where this Scrapy has them."""
    import scrapy.exceptions

    return tuple(getattr(scrapy.exceptions, n) for n in names if hasattr(scrapy.exceptions, n))


DNS_ERRORS = (DNSLookupError, *_scrapy_errors("CannotResolveHostError"))
TIMEOUT_ERRORS = (TimeoutError, TCPTimedOutError, *_scrapy_errors("DownloadTimeoutError"))
REFUSED_ERRORS = (ConnectionRefusedError, *_scrapy_errors("DownloadConnectionRefusedError"))
LOST_ERRORS = (ConnectionLost, ResponseNeverReceived, ResponseFailed,
               *_scrapy_errors("ResponseDataLossError", "DownloadFailedError"))  # fmt: skip
CANCELLED_ERRORS = _scrapy_errors("DownloadCancelledError")


def failure_reason(failure: Failure) -> tuple[str, str, int | None]:
    """(reason code, human detail, HTTP status) for a failed download."""
    exc = failure.value
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} from {exc.response.url}", status
    if "maxsize" in text.lower() or "max size" in text.lower():  # also a gzip bomb (an IgnoreRequest)
        return "too_large", text, None
    request = getattr(failure, "request", None)
    if isinstance(exc, CANCELLED_ERRORS) and request is not None and request.meta.get("sportnews_too_large"):
        got = request.meta["sportnews_too_large"]
        return "too_large", f"cut at the download size limit after {got} bytes (no Content-Length)", None
    if isinstance(exc, IgnoreRequest):
        reason = "robots" if "robots" in text.lower() else "ignored"
        for prefix in ("offsite", "private address"):  # crawler.middlewares.OutletBoundsMiddleware
            if text.startswith(prefix + ":"):
                reason = prefix.replace(" ", "_")
        return reason, text, None
    if isinstance(exc, DNS_ERRORS):
        return "dns", f"DNS lookup failed ({text})", None
    if isinstance(exc, TIMEOUT_ERRORS):
        return "timeout", f"timed out ({text})", None
    if isinstance(exc, REFUSED_ERRORS):
        return "connection_refused", f"connection refused ({text})", None
    if isinstance(exc, LOST_ERRORS + CANCELLED_ERRORS):
        return "connection_lost", f"connection lost ({text})", None
    return "fetch_error", f"{type(exc).__name__}: {text}", None


def archive_keys(article: KnownArticle) -> tuple[str, ...]:
    """Every URL key a stored article is known under: the one it was stored with, and those of its
    URL and canonical URL as this version of ``url_key`` makes them (a discovered URL is keyed so)."""
    keys = {article.url_key, url_key(article.url)}
    if article.canonical_url != article.url:
        keys.add(url_key(article.canonical_url))
    return tuple(keys)


class OutletSpider(Spider):
    """Crawls one or more outlets: ``scrapy crawl outlet -a outlet=gazzetta[,cds]``.

    Arguments (``-a``): ``outlet`` (comma-separated keys; default every built-in outlet, or every
    outlet of ``outlets_file`` when given), ``outlets_file``, ``since`` (days), ``max_articles``
    (per outlet), ``db``. Settings give the defaults (crawler/settings.py).

    Each discovered URL is fetched at most once per run and, across runs, only when the archive
    does not have it yet or its feed/sitemap says it changed. URL variants (tracking, AMP, mobile)
    found in the same run are recorded as duplicates without being fetched.
    """

    name = "outlet"
    pack_archive_state = True
    """The archive's known articles and settled URLs as packed digests (crawler/archive_view.py),
    not dicts of strings: a spider that must hand their strings on (the distributed seeder) says no."""

    def __init__(
        self,
        outlet: str | None = None,
        outlets_file: str | None = None,
        since: str | float | None = None,
        max_articles: str | int | None = None,
        db: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._arg_outlet = outlet
        self._arg_outlets_file = outlets_file
        self._arg_since = since
        self._arg_max = max_articles
        self._arg_db = db

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OutletSpider:
        spider: OutletSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        keys = [k.strip() for k in spider._arg_outlet.split(",") if k.strip()] if spider._arg_outlet else None
        outlets_file = spider._arg_outlets_file or s.get("SPORTNEWS_OUTLETS_FILE") or None
        spider.outlets = {o.key: o for o in select_outlets(keys, outlets_file)}
        since = spider._arg_since if spider._arg_since is not None else s.getfloat("SPORTNEWS_SINCE_DAYS")
        spider.since_days = float(since)
        spider.max_articles = int(
            spider._arg_max if spider._arg_max is not None else s.getint("SPORTNEWS_MAX_ARTICLES")
        )
        spider.db_path = spider._arg_db or s.get("SPORTNEWS_DB")
        spider.source_cache = SourceCache.from_crawler(crawler, spider.db_path, spider.since_days)
        spider.sitemap_depth = s.getint("SPORTNEWS_SITEMAP_DEPTH", 4)
        spider.sitemap_max = s.getint("SPORTNEWS_SITEMAP_MAX", 500)
        spider.sitemaps_asked: dict[str, int] = defaultdict(int)  # child sitemaps requested, per outlet
        spider.redirect_max = s.getint("SPORTNEWS_REDIRECT_MAX", 5)
        spider.maxsize = s.getint("DOWNLOAD_MAXSIZE")
        spider.received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()  # one entry per attempt
        crawler.signals.connect(spider.count_bytes, signal=signals.bytes_received)
        spider.started = datetime.now(UTC)
        spider.cutoff = spider.started - timedelta(days=spider.since_days)
        spider.claimed_keys: StrByDigest | dict[str, str] = StrByDigest()  # url_key -> first URL claiming it
        spider.claimed_urls: DigestSet | set[str] = DigestSet()
        spider.seen_sources: set[str] = set()
        spider.scheduled: dict[str, int] = defaultdict(int)
        spider.source_errors: dict[str, list[str]] = defaultdict(list)
        # url_key -> (article_id, changed_at), url -> duplicate / reject reason: packed (crawler/archive_view.py)
        spider.known: KnownArticles | dict[str, tuple[str, datetime | None]] = {}
        spider.settled: SettledUrls | dict[str, str] = {}
        # A JOBDIR's disk queue keeps the frontier out of memory already, and must hold all of it
        # for Scrapy's pause and resume.
        spider.backlog = ArticleBacklog(0 if s.get("JOBDIR") else s.getint("SPORTNEWS_FRONTIER_WINDOW", 100))
        spider.send_referer = s.getbool("REFERER_ENABLED", True)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    # -- bookkeeping -----------------------------------------------------------------------
    def count(self, outlet: str, what: str, n: int = 1) -> None:
        """Namespaced per-outlet stats; the run summary and ``crawl_run_outlets`` read them."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"sportnews/{outlet}/{what}", n)

    def count_bytes(self, data: bytes, request: Request, spider: Spider) -> None:
        """Bytes received per download attempt, so a body without Content-Length that Scrapy cuts
        at DOWNLOAD_MAXSIZE is recorded as ``too_large``: Scrapy cancels it like a lost connection."""
        got = self.received[request] = self.received.get(request, 0) + len(data)
        limit = request.meta.get("download_maxsize", self.maxsize)
        if limit and got > limit:
            request.meta["sportnews_too_large"] = got

    def load_archive_state(self) -> None:
        """What earlier runs stored, so this run fetches only what is new or changed."""
        try:
            with opened(self.db_path, lock_timeout=self.settings.getfloat("SPORTNEWS_LOCK_TIMEOUT")) as con:
                articles = ((archive_keys(a), a.article_id, a.changed_at)
                            for a in known_articles(con, list(self.outlets)))  # fmt: skip
                settled = settled_urls(con, list(self.outlets))
                if self.pack_archive_state:
                    self.known, self.settled = KnownArticles.build(articles), SettledUrls.build(settled)
                else:
                    self.known = {}
                    for keys, article_id, changed_at in articles:
                        for key in keys:
                            self.known.setdefault(key, (article_id, changed_at))
                    self.settled = dict(settled)
                self.source_cache.load(con, list(self.outlets))
        except ArchiveError as exc:
            logger.error("cannot read the archive %s: %s", self.db_path, exc)
            raise

    # -- start -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        self.load_archive_state()
        for outlet in self.outlets.values():
            for req in self.source_requests(outlet):
                yield req

    def source_requests(self, outlet: OutletSpec) -> Iterator[Request]:
        for url in outlet.robots_urls():
            yield self.source_request(outlet, url, "robots", self.parse_robots, dont_obey_robotstxt=True)
        for url in outlet.sitemaps:
            yield self.source_request(outlet, url, "sitemap", self.parse_sitemap, depth=0)
        for url in outlet.feeds:
            yield self.source_request(outlet, url, "feed", self.parse_feed)
        for url in outlet.listing_pages:
            yield self.source_request(outlet, url, "listing", self.parse_listing)

    def source_request(self, outlet: OutletSpec, url: str, kind: str, callback: Any, **meta: Any) -> Request:
        self.seen_sources.add(url)
        self.count(outlet.key, "sources")
        conditional = self.source_cache.headers(url, kind)  # a 304 then means "unchanged since last run"
        if conditional:
            meta["handle_httpstatus_list"] = [304]
        return Request(
            url,
            callback=callback,
            errback=self.source_failed,
            headers=conditional or None,
            meta={"outlet": outlet.key, "source_kind": kind, **meta},
            priority=10,  # discovery first: it feeds everything else
            dont_filter=True,
        )

    # -- discovery callbacks ------------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Request]:
        outlet = self.outlets[response.meta["outlet"]]
        for url in parse_robots_sitemaps(response.body, response.url):
            if url not in self.seen_sources and outlet.owns(url):
                yield self.source_request(outlet, url, "sitemap", self.parse_sitemap, depth=0)

    def parse_sitemap(self, response: Response) -> Iterator[Request | Reject | Duplicate]:
        outlet = self.outlets[response.meta["outlet"]]
        depth = int(response.meta.get("depth", 0))
        if response.status == 304:  # unchanged: no entries to read, but its children may have changed
            self.source_unchanged(outlet.key, response)
            yield from self.sitemap_children(outlet, self.source_cache.children(source_url(response)), depth)
            return
        result = parse_sitemap(response.body, response.url)
        if result.error:
            self.note_source_error(outlet.key, response.url, f"sitemap: {result.error}")
            if result.kind == "invalid":
                yield self.source_reject(outlet.key, response.url, "source_invalid", result.error, response.status)
                return
        children = [(child.url, child.lastmod) for child in result.children]
        self.source_cache.fetched(outlet.key, "sitemap", response, children)
        yield from self.sitemap_children(outlet, children, depth)
        via = "news-sitemap" if any(e.title or e.date for e in result.entries) else "sitemap"
        yield from self.consider_entries(outlet, result.entries, via, response.url)

    def sitemap_children(
        self, outlet: OutletSpec, children: Iterable[tuple[str, str | None]], depth: int
    ) -> Iterator[Request]:
        oldest = datetime.min.replace(tzinfo=UTC)
        # newest first, so that when SPORTNEWS_SITEMAP_MAX cuts a huge index, the recent sitemaps are read
        for url, lastmod in sorted(children, key=lambda c: parse_iso(c[1]) or oldest, reverse=True):
            if url in self.seen_sources or not outlet.owns(url):
                continue
            if depth + 1 > self.sitemap_depth:
                self.count(outlet.key, "sitemaps_too_deep")
                continue
            changed = parse_iso(lastmod)
            if changed is not None and changed < self.cutoff:
                continue  # a monthly archive sitemap that has not changed inside the window
            if self.sitemaps_asked[outlet.key] >= self.sitemap_max:
                self.count(outlet.key, "sitemaps_over_max")
                continue
            self.sitemaps_asked[outlet.key] += 1
            yield self.source_request(outlet, url, "sitemap", self.parse_sitemap, depth=depth + 1)

    def source_unchanged(self, outlet: str, response: Response) -> None:
        self.count(outlet, "sources_unchanged")
        self.source_cache.unchanged(response)

    def parse_feed(self, response: Response) -> Iterator[Request | Reject | Duplicate]:
        outlet = self.outlets[response.meta["outlet"]]
        if response.status == 304:
            self.source_unchanged(outlet.key, response)
            return
        result = parse_feed(response.body, response.url)
        if not result.is_feed:
            self.note_source_error(outlet.key, response.url, f"feed: {result.error or 'not a feed'}")
            yield self.source_reject(outlet.key, response.url, "source_invalid", result.error or "not a feed",
                                     response.status)  # fmt: skip
            return
        if result.error:
            logger.warning("feed %s is damaged (%s); using the %d entries recovered",
                           response.url, result.error, len(result.entries))  # fmt: skip
        self.source_cache.fetched(outlet.key, "feed", response)
        yield from self.consider_entries(outlet, result.entries, "feed", response.url)

    def parse_listing(self, response: Response) -> Iterator[Request | Reject | Duplicate]:
        outlet = self.outlets[response.meta["outlet"]]
        if response.status == 304:
            self.source_unchanged(outlet.key, response)
            return
        self.source_cache.fetched(outlet.key, "listing", response)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        links = extract_links(response.body, response.url, content_type)
        entries = [Entry(url=link.url, date=None, date_raw=None, lastmod=None, title=link.text or None)
                   for link in links]  # fmt: skip
        yield from self.consider_entries(outlet, entries, "listing", response.url)

    # -- deciding what to fetch ---------------------------------------------------------------
    def consider_entries(
        self, outlet: OutletSpec, entries: Iterable[Entry], via: str, source_url: str
    ) -> Iterator[Request | Duplicate]:
        for entry in entries:
            discovery = Discovery(via=via, source_url=source_url, date=entry.date, date_raw=entry.date_raw,
                                  lastmod=entry.lastmod, title=entry.title)  # fmt: skip
            yield from self.consider(outlet, entry.url, discovery)

    def consider(self, outlet: OutletSpec, url: str, discovery: Discovery) -> Iterator[Request | Duplicate]:
        """Decide the fate of one discovered URL: fetch it, record it as a duplicate, or skip it."""
        url = absolute(discovery.source_url, url.strip())
        if not fetchable(url):
            self.count(outlet.key, "skipped/bad_url")
            return
        if not outlet.owns(url):
            self.count(outlet.key, "skipped/offsite")
            return
        # Tracking parameters must not turn an article away from a pattern that ends in `$`.
        if not (outlet.is_article(url) or outlet.is_article(clean_url(url))):
            self.count(outlet.key, "skipped/not_article")
            return
        if url in self.claimed_urls:
            return  # listed twice (two feeds, feed and sitemap): one fetch is enough
        key = url_key(url)
        dated = parse_iso(discovery.date) or parse_iso(discovery.lastmod)
        if dated is not None and dated < self.cutoff:
            self.count(outlet.key, "skipped/too_old")
            return
        first = self.claimed_keys.get(key)
        if first is not None:
            self.claimed_urls.add(url)
            self.count(outlet.key, "discovered")
            yield Duplicate(outlet=outlet.key, url=url, duplicate_of=article_id_for(key), duplicate_of_url=first,
                            kind="url")  # fmt: skip
            return
        if key in self.known:
            _, changed_at = self.known[key]
            said_changed = parse_iso(discovery.lastmod) or parse_iso(discovery.date)
            if not (said_changed and changed_at and said_changed > changed_at):
                self.count(outlet.key, "skipped/known")
                return
            self.count(outlet.key, "refetched/changed")
        elif url in self.settled and self.settled[url] not in TRANSIENT_REASONS:
            self.count(outlet.key, "skipped/settled")
            return
        if self.max_articles and self.scheduled[outlet.key] >= self.max_articles:
            self.count(outlet.key, "skipped/max_articles")
            self.source_cache.incomplete(discovery.source_url)  # the rest waits for the next run
            return
        self.claimed_keys[key] = url
        self.claimed_urls.add(url)
        self.scheduled[outlet.key] += 1
        self.count(outlet.key, "discovered")
        if self.backlog.admit(outlet.key, url, discovery):
            yield self.article_request(outlet, url, discovery, [])
        else:
            self.crawler.stats.max_value("sportnews/frontier/waiting_peak", len(self.backlog))  # type: ignore[union-attr]

    def article_request(self, outlet: OutletSpec, url: str, discovery: Discovery, chain: list[str]) -> Request:
        # The feed or sitemap that listed the URL, as a browser would send it. Set here because a
        # request the backlog releases later leaves from another article's callback, whose URL
        # Scrapy's referer middleware would send instead. Never from https to plain http.
        source = discovery.source_url
        referer = self.send_referer and not (source.startswith("https:") and url.startswith("http:"))
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            headers={"Referer": source} if referer else None,
            meta={
                "outlet": outlet.key,
                "discovery": discovery,
                "redirect_chain": chain,
                # Redirects are ours to handle: each hop must stay on the outlet and be recorded.
                "dont_redirect": True,
                "handle_httpstatus_list": list(REDIRECT_CODES),
            },
        )

    def released(self, outlet: OutletSpec) -> Iterator[Request]:
        """Requests for the URLs of ``outlet`` that the backlog lets go now."""
        for url, discovery in self.backlog.release(outlet.key):
            yield self.article_request(outlet, url, discovery, [])

    def request_dropped(self, request: Request, spider: Spider) -> None:
        """An article request the scheduler refused (its duplicate filter) gives its place back."""
        if request.callback != self.parse_article or self.crawler.engine is None:
            return
        outlet = self.outlets[request.meta["outlet"]]
        self.backlog.ended(outlet.key)
        for released in self.released(outlet):
            self.crawler.engine.crawl(released)

    def idle(self, spider: Spider) -> None:
        """Nothing left in flight but URLs still waiting: release them rather than close.

        Only reached when a request ended without passing through the callbacks or the drop
        signal above (a middleware that swallowed it): the backlog then starts its windows afresh.
        """
        if not self.backlog or self.crawler.engine is None:
            return
        released = self.backlog.reopen()
        logger.debug("idle with %d article URLs waiting: releasing %d", len(self.backlog) + len(released),
                     len(released))  # fmt: skip
        for outlet, (url, discovery) in released:
            self.crawler.engine.crawl(self.article_request(self.outlets[outlet], url, discovery, []))
        raise DontCloseSpider

    # -- articles -------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[FetchedPage | Request | Reject | Duplicate]:
        outlet = self.outlets[response.meta["outlet"]]
        discovery: Discovery = response.meta["discovery"]
        chain: list[str] = response.meta.get("redirect_chain", [])
        self.count(outlet.key, "fetched")
        self.backlog.ended(outlet.key)
        if response.status in REDIRECT_CODES:
            yield from self.follow_redirect(outlet, response, discovery, chain)
            yield from self.released(outlet)
            return
        yield from self.released(outlet)  # before the page: its extraction must not delay them
        yield FetchedPage(
            outlet=outlet.key,
            url=response.url,
            body=response.body,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
            http_status=response.status,
            fetched_at=datetime.now(UTC).isoformat(),
            discovery=discovery,
            redirected_from=list(chain),
        )

    def follow_redirect(
        self, outlet: OutletSpec, response: Response, discovery: Discovery, chain: list[str]
    ) -> Iterator[Request | Reject | Duplicate]:
        location = response.headers.get(b"Location", b"").decode("latin-1").strip()
        source = response.url
        if not location:
            yield Reject(outlet.key, source, "redirect_broken", "redirect without Location", response.status)
            return
        target = absolute(source, location)
        if not fetchable(target):
            yield Reject(outlet.key, source, "redirect_broken", f"redirect to a malformed URL {location!r}",
                         response.status)  # fmt: skip
            return
        if len(chain) + 1 > self.redirect_max or target in chain or target == source:
            yield Reject(outlet.key, source, "redirect_loop", f"redirect loop or chain longer than "
                         f"{self.redirect_max}: {' -> '.join([*chain, source, target])}", response.status)  # fmt: skip
            return
        if not outlet.owns(target):
            yield Reject(outlet.key, source, "redirect_offsite", f"redirects off the outlet to {target}",
                         response.status)  # fmt: skip
            return
        if not (outlet.is_article(target) or outlet.is_article(clean_url(target))):
            yield Reject(outlet.key, source, "redirect_not_article", f"redirects to a non-article page {target}",
                         response.status)  # fmt: skip
            return
        key = url_key(target)
        claimed = self.claimed_keys.get(key)
        yield Duplicate(outlet=outlet.key, url=source, duplicate_of=article_id_for(key),
                        duplicate_of_url=target if claimed is None else claimed, kind="redirect")  # fmt: skip
        if claimed is not None and claimed != source:
            return  # the target is fetched already (or will be) under its own URL
        if key in self.known:
            return  # the target is in the archive already
        self.claimed_keys[key] = target
        self.claimed_urls.add(target)
        self.backlog.hold(outlet.key)
        yield self.article_request(outlet, target, discovery, [*chain, source])

    def article_failed(self, failure: Failure) -> Iterator[Reject | Request]:
        request = failure.request  # type: ignore[attr-defined]
        outlet = request.meta["outlet"]
        self.backlog.ended(outlet)
        yield from self.released(self.outlets[outlet])
        reason, detail, status = failure_reason(failure)
        if reason != "robots":
            self.count(outlet, "fetched")
        if reason in TRANSIENT_REASONS:  # retried next run only if its source is read again
            self.source_cache.incomplete(request.meta["discovery"].source_url)
        yield Reject(outlet=outlet, url=request.url, reason=reason, detail=detail, http_status=status)

    # -- sources that failed ------------------------------------------------------------------
    def note_source_error(self, outlet: str, url: str, message: str) -> None:
        self.count(outlet, "errors")
        self.source_errors[outlet].append(f"{url}: {message}")
        logger.warning("%s: %s: %s", outlet, url, message)

    def source_reject(self, outlet: str, url: str, reason: str, detail: str, status: int | None) -> Reject:
        return Reject(outlet=outlet, url=url, reason=reason, detail=detail, http_status=status, stage="source")

    def source_failed(self, failure: Failure) -> Iterator[Reject | Request]:
        request = failure.request  # type: ignore[attr-defined]
        outlet = request.meta["outlet"]
        reason, detail, status = failure_reason(failure)
        kind = request.meta.get("source_kind", "source")
        if kind == "robots" and status == 404:
            return  # no robots.txt: nothing to read, nothing wrong
        fallback = http_fallback(request.url) if kind == "robots" and status is None else None
        if fallback and fallback not in self.seen_sources:
            logger.info("%s: %s unreachable (%s), trying %s", outlet, request.url, detail, fallback)
            self.count(outlet, "sources", -1)  # the same source, asked again over plain http
            yield self.source_request(self.outlets[outlet], fallback, "robots", self.parse_robots,
                                      dont_obey_robotstxt=True)  # fmt: skip
            return
        self.note_source_error(outlet, request.url, f"{kind}: {detail}")
        yield self.source_reject(outlet, request.url, f"source_{reason}", detail, status)
