"""RSS/Atom/RDF feed bodies to entries, via feedparser, with Italian dates and offsets kept."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import feedparser

from crawler.discovery._common import absolute_url, clean_text, dedupe_by_url, never_raise
from crawler.discovery.dates import parse_date, register_feedparser_handler, struct_to_datetime, to_iso
from crawler.discovery.entries import Entry

logger = logging.getLogger(__name__)

register_feedparser_handler()

_SNIFF_BYTES = 2048
"""How much of the body to look at when telling HTML from a feed: the root element of a feed or
an HTML page comes after at most an XML declaration, a doctype and a few comments."""

_TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class FeedResult:
    """What one feed body yielded. ``error`` set does not mean ``entries`` is empty: a truncated
    feed still gives the items before the cut."""

    entries: list[Entry] = field(default_factory=list)
    """Items with a usable http(s) URL, deduplicated by URL, in feed order."""
    is_feed: bool = False
    """False when the body is not a feed at all (an HTML error page served with 200, garbage)."""
    error: str | None = None
    """Why the body is not a feed or what was wrong with it; None for a clean feed."""


def _looks_like_html(body: bytes) -> bool:
    head = body[:_SNIFF_BYTES].lower()
    if any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")):
        return False
    return b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head


def _entry_date(entry: Any, key: str) -> tuple[str | None, str | None]:
    """(ISO date, raw string) for ``published`` or ``updated``.

    The raw string is parsed here, not taken from feedparser's ``*_parsed``, because those are UTC
    struct_times and lose the offset the outlet wrote; they are only the fallback for formats we
    do not read ourselves.
    """
    raw = dict.get(entry, key)  # dict.get: feedparser's own .get maps updated->published, with a warning
    if not raw or not isinstance(raw, str):
        return None, None
    dt = parse_date(raw) or struct_to_datetime(dict.get(entry, f"{key}_parsed"))
    return (to_iso(dt) if dt else None), raw.strip()


def _entry_url(entry: Any, feed_url: str) -> str | None:
    link = dict.get(entry, "link")
    if not isinstance(link, str):
        return None
    # feedparser copies a guid into link when isPermaLink is not "false"; only a guid that is
    # itself an absolute URL is a permalink (calciomercato.com's guid is a bare slug-id).
    from_guid = bool(dict.get(entry, "guidislink")) and link == dict.get(entry, "id")
    if from_guid and urlsplit(link.strip()).scheme.lower() not in ("http", "https"):
        return None
    return absolute_url(link, feed_url)


def _entry_title(entry: Any) -> str | None:
    title = dict.get(entry, "title")
    if not isinstance(title, str):
        return None
    detail = dict.get(entry, "title_detail") or {}
    if "html" in str(dict.get(detail, "type", "")):
        title = _TAG_RE.sub(" ", title)
    return clean_text(title)


def _failed(exc: Exception) -> FeedResult:
    return FeedResult(entries=[], is_feed=False, error=f"feed parser crashed: {type(exc).__name__}: {exc}")


@never_raise(_failed)
def parse_feed(body: bytes, url: str) -> FeedResult:
    """Parse an RSS 0.9x/2.0, Atom or RDF feed body into entries.

    Args:
        body: the response body, as downloaded (bytes: feedparser detects the encoding).
        url: the feed URL, to resolve relative item links.

    Returns:
        A FeedResult; never raises. ``date`` is the item's publication date (``pubDate``, Atom
        ``published``; in RSS/RDF also ``dc:date``, the only date RDF items have) and ``lastmod``
        its update date (Atom ``updated``, ``dc:date``, ``dcterms:modified``).
    """
    if not body or not body.strip():
        return FeedResult(error="empty body")
    # A BytesIO, never the bytes themselves: feedparser.parse(bytes) first tries open(bytes) as a
    # local file name. The content type lets feedparser take the encoding from the XML declaration
    # without complaining that the (unknown) HTTP content type was missing.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"})
    version = parsed.get("version", "") or ""
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    is_atom = version.startswith("atom")

    entries: list[Entry] = []
    skipped = 0
    for item in parsed.get("entries", []):
        entry_url = _entry_url(item, url)
        if entry_url is None:
            skipped += 1
            continue
        date, date_raw = _entry_date(item, "published")
        lastmod, lastmod_raw = _entry_date(item, "updated")
        if date_raw is None and not is_atom:
            date, date_raw = lastmod, lastmod_raw
        entries.append(Entry(entry_url, date, date_raw, lastmod, _entry_title(item)))
    if skipped:
        logger.debug("%s: %d feed items without a usable http(s) link", url, skipped)
    entries = dedupe_by_url(entries, lambda e: e.url)

    if not version and not entries:
        if _looks_like_html(body):
            return FeedResult(error="not an RSS/Atom feed (looks like HTML)")
        reason = f": {type(bozo).__name__}: {bozo}" if bozo else ""
        return FeedResult(error=f"not an RSS/Atom feed{reason}")
    return FeedResult(entries=entries, is_feed=True, error=_describe(bozo))


def _describe(bozo: Exception | None) -> str | None:
    """A feed-level problem in words; a wrong charset declaration (Italian sites declaring utf-8
    and sending latin-1) loses no entries and must not read like a broken feed."""
    if bozo is None:
        return None
    if isinstance(bozo, feedparser.CharacterEncodingOverride):
        return f"wrong encoding declared, entries kept: {bozo}"
    return f"malformed feed (entries may be missing): {type(bozo).__name__}: {bozo}"
