"""``sportnews canary``: fetch one fresh article per outlet from the live site and say which step broke."""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
import urllib.error
import urllib.request
import zlib
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from threading import Lock
from typing import Any
from urllib.parse import urlsplit

from crawler.commands.common import progress, table_console
from crawler.discovery import Entry, extract_links, parse_feed, parse_robots_sitemaps, parse_sitemap
from crawler.outlets.spec import OutletSpec

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2
MAX_BYTES = 10 * 1024 * 1024
"""Bodies are cut here, as the crawl's DOWNLOAD_MAXSIZE does (real article pages are under 2 MB)."""
ARTICLE_ATTEMPTS = 2
"""Fresh articles tried before calling the fetch or extraction broken: one deleted or odd article
(a live ticker, a gallery) must not flag an outlet, and two requests stay polite."""
MAX_SOURCES = 6
"""Sources read per outlet at most while looking for an article URL (feeds, sitemaps, listings)."""
DEFAULT_WORKERS = 8
"""Outlets checked at once: each outlet's own requests stay sequential (one at a time per site);
eight sites at a time keep a 41-outlet check under a minute without hammering anyone."""


class FetchError(RuntimeError):
    """A request that did not give a usable answer; ``reason`` is short (``HTTP 404``, ``timed out``)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


@dataclass
class Page:
    url: str
    """Final URL, after redirects."""
    status: int
    content_type: str
    body: bytes


class Fetcher:
    """Plain HTTP GETs as the crawl makes them: our user agent, robots.txt obeyed, gzip, size cap.

    urllib rather than Scrapy: one request after another per outlet needs no reactor, and the
    canary must run beside a scheduled crawl without sharing anything with it.
    """

    def __init__(self, user_agent: str, timeout: float = 20.0) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self._robots: dict[str, Any] = {}
        self._lock = Lock()
        self.requests = 0

    def _open(self, url: str) -> Page:
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip"})
        with self._lock:
            self.requests += 1
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    raise FetchError(url, f"larger than {MAX_BYTES // 1024 // 1024} MB")
                encoding = (resp.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                return Page(resp.geturl(), resp.status, resp.headers.get("Content-Type") or "", body)
        except urllib.error.HTTPError as exc:
            raise FetchError(url, f"HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            text = "timed out" if isinstance(reason, TimeoutError) else str(reason)
            raise FetchError(url, text) from None
        except TimeoutError:
            raise FetchError(url, "timed out") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    def allowed(self, url: str) -> bool:
        """robots.txt of the URL's host allows us (an unreadable robots.txt allows, as in the crawl)."""
        from protego import Protego

        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        with self._lock:
            parser = self._robots.get(robots_url)
        if parser is None:
            try:
                text = self._open(robots_url).body.decode("utf-8", "replace")
            except FetchError:
                text = ""
            parser = Protego.parse(text)
            with self._lock:
                self._robots[robots_url] = parser
        return bool(parser.can_fetch(url, self.user_agent))

    def get(self, url: str) -> Page:
        if not self.allowed(url):
            raise FetchError(url, "disallowed by robots.txt")
        return self._open(url)


@dataclass
class CanaryResult:
    """One outlet's check: where it broke, if it did, and what the article looked like."""

    outlet: str
    verdict: str
    """ok, degraded or broken."""
    stage: str = ""
    """Where it went wrong: discovery, fetch or extraction ("" when ok)."""
    problem: str = ""
    source: str | None = None
    """The feed, sitemap or listing page the article came from."""
    article_url: str | None = None
    title: str | None = None
    published_at: str | None = None
    """From the page itself (feed dates are not used, so a page that lost its date shows)."""
    text_chars: int = 0
    seconds: float = 0.0


def _when(entry: Entry) -> datetime:
    for value in (entry.date, entry.lastmod):
        if value:
            try:
                dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
            except ValueError:
                continue
    return datetime.min.replace(tzinfo=UTC)


def find_articles(outlet: OutletSpec, fetcher: Fetcher) -> tuple[list[Entry], str | None, list[str]]:
    """The freshest article entries of the first source that lists any, that source, and what failed.

    Order: feeds (dated, small), sitemaps (an index is followed to its newest children),
    robots.txt sitemaps, listing pages.
    """
    problems: list[str] = []
    queue: list[tuple[str, str]] = [(u, "feed") for u in outlet.feeds] + [(u, "sitemap") for u in outlet.sitemaps]
    if outlet.robots:
        queue += [(u, "robots") for u in outlet.robots_urls()]
    queue += [(u, "listing") for u in outlet.listing_pages]
    seen: set[str] = set()
    read = 0
    while queue and read < MAX_SOURCES:
        url, kind = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        read += 1
        try:
            page = fetcher.get(url) if kind != "robots" else fetcher._open(url)
        except FetchError as exc:
            problems.append(f"{kind} {exc.reason}")
            continue
        entries: list[Entry] = []
        if kind == "feed":
            feed = parse_feed(page.body, page.url)
            if not feed.is_feed:
                problems.append(f"feed: {feed.error or 'not a feed'}")
                continue
            entries = feed.entries
        elif kind == "sitemap":
            sm = parse_sitemap(page.body, page.url)
            if sm.kind == "invalid":
                problems.append(f"sitemap: {sm.error}")
                continue
            children = sorted(sm.children, key=_when, reverse=True)[:2]
            queue[:0] = [(c.url, "sitemap") for c in children if outlet.owns(c.url)]
            entries = sm.entries
        elif kind == "robots":
            queue[:0] = [(u, "sitemap") for u in parse_robots_sitemaps(page.body, page.url) if outlet.owns(u)]
            continue
        else:
            entries = [Entry(url=link.url, title=link.text or None)
                       for link in extract_links(page.body, page.url, page.content_type)]  # fmt: skip
        articles = [e for e in entries if outlet.is_article(e.url)]
        if articles:
            articles.sort(key=_when, reverse=True)  # stable: undated listing links keep page order
            return articles, url, problems
        if entries or kind != "sitemap":
            problems.append(f"{kind}: no article URL among {len(entries)} entries")
    return [], None, problems


def check_outlet(outlet: OutletSpec, fetcher: Fetcher, min_text_chars: int) -> CanaryResult:
    """Discover, fetch and extract one fresh article of ``outlet``; never raises."""
    from pipeline.items import Discovery, ExtractedArticle, FetchedPage
    from pipeline.worker import process_page

    t0 = time.monotonic()
    result = CanaryResult(outlet=outlet.key, verdict="ok")
    try:
        entries, source, problems = find_articles(outlet, fetcher)
        if not entries:
            result.verdict, result.stage = "broken", "discovery"
            result.problem = "; ".join(problems) or "no source to read"
            return result
        result.source = source
        failures: list[str] = []
        for entry in entries[:ARTICLE_ATTEMPTS]:
            result.article_url = entry.url
            try:
                page = fetcher.get(entry.url)
            except FetchError as exc:
                failures.append(f"fetch: {exc.reason}")
                continue
            if not outlet.owns(page.url):
                failures.append(f"fetch: redirected off the outlet to {page.url}")
                continue
            fetched = FetchedPage(outlet=outlet.key, url=page.url, body=page.body, content_type=page.content_type,
                                  http_status=page.status, fetched_at=datetime.now(UTC).isoformat(),
                                  discovery=Discovery(via="canary", source_url=str(source)))  # fmt: skip
            extracted = process_page(fetched)
            if not isinstance(extracted, ExtractedArticle):
                failures.append(f"extraction: {extracted.reason}: {extracted.detail}")
                continue
            result.title, result.published_at = extracted.title, extracted.published_at
            result.text_chars = len(extracted.text)
            doubts = []
            if result.text_chars < min_text_chars:
                doubts.append(f"text {result.text_chars} chars < {min_text_chars}")
            if not extracted.published_at:
                doubts.append("no publication date in the page")
            if not extracted.title:
                doubts.append("no title")
            if len(doubts) >= 2:  # two signals at once: the page is no longer an article to us
                failures.append("extraction: " + ", ".join(doubts))
                continue
            if doubts:
                result.verdict, result.stage, result.problem = "degraded", "extraction", ", ".join(doubts)
            return result
        result.verdict = "broken"
        result.stage = "fetch" if all(f.startswith("fetch") for f in failures) else "extraction"
        result.problem = "; ".join(failures)
        return result
    except Exception as exc:  # one outlet's surprise must not hide the others' results
        logger.exception("canary of %s failed", outlet.key)
        result.verdict, result.stage, result.problem = "broken", "canary", f"{type(exc).__name__}: {exc}"
        return result
    finally:
        result.seconds = round(time.monotonic() - t0, 2)


def run_canary(outlets: list[OutletSpec], fetcher: Fetcher, min_text_chars: int,
               workers: int = DEFAULT_WORKERS) -> list[CanaryResult]:  # fmt: skip
    """Every outlet checked, a few at a time; results in outlet order."""
    from pipeline.worker import init_worker

    init_worker()
    results: dict[str, CanaryResult] = {}
    with ThreadPoolExecutor(max(1, workers)) as pool:
        futures = [pool.submit(check_outlet, o, fetcher, min_text_chars) for o in outlets]
        for future in progress(as_completed(futures), "canary", total=len(futures)):
            r = future.result()
            results[r.outlet] = r
    return [results[o.key] for o in outlets]


def print_results(results: list[CanaryResult]) -> None:
    from rich.table import Table

    table = Table(title="canary: one fresh article per outlet")
    for col in ("outlet", "verdict", "stage", "problem", "article", "chars", "published", "s"):
        table.add_column(col, overflow="fold", justify="right" if col in ("chars", "s") else "left")
    for r in results:
        style = {"ok": "green", "degraded": "yellow", "broken": "bold red"}[r.verdict]
        table.add_row(r.outlet, f"[{style}]{r.verdict}[/]", r.stage, r.problem, r.article_url or "",
                      str(r.text_chars or ""), (r.published_at or "")[:16], f"{r.seconds:.1f}")  # fmt: skip
    table_console().print(table)


def cmd_canary(args: argparse.Namespace) -> int:
    from crawler import settings as defaults
    from crawler.commands.health import HealthRules
    from crawler.outlets.registry import OutletFileError, select_outlets

    try:
        outlets = select_outlets(args.outlet or None, args.outlets)
    except OutletFileError as exc:
        print(f"sportnews: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fetcher = Fetcher(defaults.USER_AGENT, args.timeout)
    results = run_canary(outlets, fetcher, HealthRules().min_text_chars, args.workers)
    if args.format == "json":
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    else:
        print_results(results)
        counts = {v: sum(1 for r in results if r.verdict == v) for v in ("ok", "degraded", "broken")}
        print(f"{counts['ok']} ok, {counts['degraded']} degraded, {counts['broken']} broken "
              f"({fetcher.requests} requests)")  # fmt: skip
    return EXIT_BROKEN if any(r.verdict == "broken" for r in results) else EXIT_OK


def add_parser(sub: Any) -> None:
    c = sub.add_parser(
        "canary",
        help="fetch one fresh article per outlet from the live sites; exit 1 when one is broken",
        description="For every outlet (or --outlet KEY ...): read its feeds/sitemaps/listings until one "
        "names an article, fetch the freshest article and extract it. Reports whether discovery, the "
        "fetch or the extraction broke. Needs the network; writes nothing to the archive.",
    )
    c.add_argument("--outlet", action="append", metavar="KEY", help="only this outlet (repeatable)")
    c.add_argument("--outlets", metavar="FILE", help="TOML file of extra outlets; alone, check only those")
    c.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
    c.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="outlets checked at once")
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.set_defaults(func=cmd_canary)
