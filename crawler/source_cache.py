"""Conditional requests for feeds and sitemaps: remember ETag/Last-Modified, send them back, keep 304s cheap."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from storage.connection import ArchiveError
from storage.sources import SourceState, save_source_states, source_states

logger = logging.getLogger(__name__)

CONDITIONAL_KINDS = frozenset({"feed", "sitemap", "listing"})
"""Source kinds asked conditionally. robots.txt is not: Scrapy's robots middleware reads it anyway,
and a 304 would hide the Sitemap: lines this run needs."""


def source_url(response: Response) -> str:
    """The URL the source was requested as, before any redirect: the key its validators live under."""
    redirects = response.meta.get("redirect_urls") or []
    return str(redirects[0]) if redirects else response.url


class SourceCache:
    """Validators of every source across runs, and what this run learnt about them.

    A run where nothing changed then costs one 304 per feed or sitemap instead of a download and
    a parse. Validators are only trusted when the read that produced them was complete:

    - a run that did not finish normally saves nothing (its entries may not all have been fetched);
    - a source with an entry left for later (``--max-articles`` reached, an article that failed
      with a transient error) is saved without validators, so the next run reads it in full;
    - validators saved under a recency window narrower than this run's are not sent, because
      entries that were too old then may be wanted now;
    - a sitemap index that answers 304 is not a dead end: its child sitemaps, remembered from the
      last full read, are asked (conditionally) in turn.

    ``SPORTNEWS_CONDITIONAL_FETCH = False`` turns all of it off (every source read in full).
    """

    def __init__(self, db: str | Path, since_days: float, enabled: bool = True, lock_timeout: float = 30.0) -> None:
        self.db = Path(db)
        self.since_days = since_days
        self.enabled = enabled
        self.lock_timeout = lock_timeout
        self.known: dict[str, SourceState] = {}
        self.seen: dict[str, SourceState] = {}
        self.incomplete_urls: set[str] = set()
        self.final_urls: dict[str, str] = {}  # URL after redirects -> URL asked, for sources that moved
        self.run_id: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, db: str | Path, since_days: float) -> SourceCache:
        s = crawler.settings
        o = cls(db, since_days, s.getbool("SPORTNEWS_CONDITIONAL_FETCH", True), s.getfloat("SPORTNEWS_LOCK_TIMEOUT"))
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)
        o.crawler = crawler
        return o

    # -- reading ------------------------------------------------------------------------------
    def load(self, con: duckdb.DuckDBPyConnection, outlets: Sequence[str]) -> None:
        """Read the stored validators of these outlets' sources (the spider's archive connection)."""
        if self.enabled:
            self.known = source_states(con, outlets)

    def headers(self, url: str, kind: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a source request; empty when it must be read in full."""
        state = self.known.get(url)
        if not self.enabled or kind not in CONDITIONAL_KINDS or state is None:
            return {}
        if state.since_days is None or self.since_days > state.since_days:
            return {}
        out = {}
        if state.etag:
            out["If-None-Match"] = state.etag
        if state.last_modified:
            out["If-Modified-Since"] = state.last_modified
        return out

    def children(self, url: str) -> list[tuple[str, str | None]]:
        """Child sitemaps remembered for an unchanged sitemap index."""
        state = self.known.get(url)
        return list(state.children) if state else []

    # -- this run -----------------------------------------------------------------------------
    def fetched(self, outlet: str, kind: str, response: Response,
                children: Sequence[tuple[str, str | None]] = ()) -> None:  # fmt: skip
        """A source answered 200 and was read: remember its new validators."""
        now = datetime.now(UTC)
        header = response.headers.get
        etag = header(b"ETag")
        modified = header(b"Last-Modified")
        url = source_url(response)
        self.final_urls[response.url] = url
        self.seen[url] = SourceState(
            url=url, outlet=outlet, kind=kind,
            etag=etag.decode("latin-1") if etag else None,
            last_modified=modified.decode("latin-1") if modified else None,
            since_days=self.since_days, children=[(u, m) for u, m in children], fetched_at=now, checked_at=now,
        )  # fmt: skip

    def unchanged(self, response: Response) -> None:
        """A source answered 304: its stored state holds, only the check time moves."""
        url = source_url(response)
        state = self.known.get(url)
        if state is None:
            return
        state.checked_at = datetime.now(UTC)
        self.seen[url] = state

    def incomplete(self, url: str) -> None:
        """An entry of this source was left for a later run: do not trust its validators next time."""
        self.incomplete_urls.add(self.final_urls.get(url, url))

    def states_to_save(self) -> list[SourceState]:
        out = []
        for url, state in self.seen.items():
            if url in self.incomplete_urls:
                state.etag = state.last_modified = None
            state.run_id = self.run_id
            out.append(state)
        return out

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not self.enabled or not self.seen:
            return
        if reason != "finished":
            logger.info("run ended %s: source validators not saved, the next run reads every source", reason)
            return
        stats = self.crawler.stats.get_stats() if getattr(self, "crawler", None) and self.crawler.stats else {}
        self.run_id = stats.get("sportnews/run_id")
        try:
            save_source_states(self.db, self.states_to_save(), self.lock_timeout)
        except (ArchiveError, duckdb.Error) as exc:
            logger.error("could not save source validators to %s: %s", self.db, exc)
