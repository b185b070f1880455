"""The values discovery parsers hand to the spider: plain dataclasses of strings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Entry:
    """One URL announced by a feed, a sitemap or a sitemap index, with what the source said about it."""

    url: str
    """Absolute http(s) URL, surrounding whitespace stripped, HTML entities decoded."""
    date: str | None = None
    """Publication time, ISO 8601 with offset (the offset the source gave; a time without offset is
    read as Europe/Rome). From RSS ``pubDate``/``dc:date``, Atom ``published``, or the sitemap's
    ``news:publication_date``. None when absent or unreadable."""
    date_raw: str | None = None
    """The publication date exactly as the source wrote it, kept for debugging odd formats."""
    lastmod: str | None = None
    """Last modification, ISO 8601 with offset: sitemap ``<lastmod>`` or Atom ``<updated>``."""
    title: str | None = None
    """Feed item title or sitemap ``news:title``, entity-decoded, whitespace collapsed."""


@dataclass
class Link:
    """One link of a listing page."""

    url: str
    """Absolute http(s) URL, resolved against the page URL and ``<base href>``, fragment removed."""
    text: str = ""
    """Anchor text with whitespace collapsed; the ``title``/``aria-label`` attribute or the alt
    text of an image inside the link when the anchor has no text; "" when there is nothing."""
