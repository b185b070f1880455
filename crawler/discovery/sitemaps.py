"""Sitemap bodies (urlset, sitemap index, Google News, plain text, gzipped) to entries."""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from crawler.discovery._common import absolute_url, clean_text, dedupe_by_url, never_raise
from crawler.discovery.dates import parse_date, to_iso
from crawler.discovery.entries import Entry
from crawler.discovery.feeds import parse_feed

logger = logging.getLogger(__name__)

# Why not ultimate-sitemap-parser: its entry points fetch URLs themselves (requests); the local
# `sitemap_from_str` takes text we would have to decode first, turns every child of an index into
# an InvalidSitemap (losing the child's lastmod), returns parsed datetimes instead of the raw
# strings, and would add a dependency. The spider already downloaded the body; lxml does the rest.

MAX_DECOMPRESSED = 50 * 1024 * 1024
"""sitemaps.org caps an uncompressed sitemap at 50 MB (50,000 URLs): anything bigger is not a
sitemap, and stopping there defuses gzip bombs. Re-run test_discovery's gzip bomb test after
changing it."""

MAX_URLS = 50_000
"""sitemaps.org's limit of URLs (or child sitemaps) per file. Reading stops there: a 100,000-URL
sitemap took 3.7 s of parsing on the reactor thread every outlet shares, and the protocol says the
rest belongs in another file."""

_GZIP_MAGIC = b"\x1f\x8b"
_URL_LINE_RE = re.compile(r"https?://\S+", re.IGNORECASE)
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})

SitemapKind = Literal["urlset", "index", "text", "invalid"]


@dataclass
class SitemapResult:
    """What one sitemap body yielded. ``error`` set does not mean the lists are empty: a
    truncated sitemap still gives the URLs before the cut."""

    kind: SitemapKind = "invalid"
    """``urlset`` (also for an RSS/Atom feed used as a sitemap, which sitemaps.org allows),
    ``index`` (a sitemap index), ``text`` (one URL per line) or ``invalid``."""
    entries: list[Entry] = field(default_factory=list)
    """Page URLs of a urlset or text sitemap, deduplicated, in document order."""
    children: list[Entry] = field(default_factory=list)
    """Child sitemap URLs of a sitemap index, with their ``lastmod``."""
    error: str | None = None
    """What was wrong with the body; None for a clean sitemap."""


class _TooBig(Exception):
    """The decompressed body went past MAX_DECOMPRESSED."""


def _gunzip(body: bytes, limit: int) -> tuple[bytes, str | None]:
    """Decompress gzip (all members) without ever holding more than ``limit`` bytes of output.

    Returns the data and an error; a truncated stream gives what was decompressed before the cut.
    """
    out = bytearray()
    data = body
    while True:
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while True:
            chunk = decomp.decompress(data, limit + 1 - len(out))
            out += chunk
            if len(out) > limit:
                raise _TooBig
            data = decomp.unconsumed_tail
            if decomp.eof or not (data or chunk):
                break
        if not decomp.eof:
            return bytes(out), "truncated gzip data"
        data = decomp.unused_data
        if not data.startswith(_GZIP_MAGIC):
            return bytes(out), None  # trailing garbage after the last member is ignored, as by gzip(1)


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions, entity references
        return ""
    # "news:news" with an undeclared prefix stays prefixed when lxml recovers: drop the prefix too
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()).strip()


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in el if _local(child) == name]


def _child_text(el: etree._Element, name: str) -> str | None:
    """Text of the first direct child with this local name, whatever its namespace.

    Direct children only: ``image:image/image:loc`` must never be taken for the page's ``loc``.
    """
    for child in _children(el, name):
        text = _text(child)
        if text:
            return text
    return None


def _iso(raw: str | None) -> str | None:
    dt = parse_date(raw)
    return to_iso(dt) if dt else None


def _url_entry(url_el: etree._Element, base: str) -> Entry | None:
    loc = absolute_url(_child_text(url_el, "loc"), base)
    if loc is None:
        return None
    date_raw = title = None
    for news in _children(url_el, "news"):
        date_raw = date_raw or _child_text(news, "publication_date")
        title = title or clean_text(_child_text(news, "title"))
    return Entry(loc, _iso(date_raw), date_raw, _iso(_child_text(url_el, "lastmod")), title)


def _index_entry(sitemap_el: etree._Element, base: str) -> Entry | None:
    loc = absolute_url(_child_text(sitemap_el, "loc"), base)
    if loc is None:
        return None
    return Entry(loc, lastmod=_iso(_child_text(sitemap_el, "lastmod")))


def _parse_text(data: bytes, base: str) -> SitemapResult:
    text = data.decode("utf-8", errors="replace")  # the protocol requires UTF-8
    entries = []
    for line in text.splitlines():
        if len(entries) >= MAX_URLS:
            break
        line = line.strip()
        if _URL_LINE_RE.fullmatch(line):
            url = absolute_url(line, base, decode=False)
            if url:
                entries.append(Entry(url))
    if not entries:
        return SitemapResult(error="not a sitemap (neither XML nor one URL per line)")
    return SitemapResult(kind="text", entries=dedupe_by_url(entries, lambda e: e.url))


def _parse_xml(data: bytes, base: str) -> SitemapResult:
    # resolve_entities/no_network/load_dtd off: no XXE, no network, no entity expansion bombs;
    # huge_tree off keeps libxml2's own depth and text-size limits; recover reads truncated files.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return SitemapResult(error=f"not a sitemap (unparseable XML: {exc})")
    if root is None:
        return SitemapResult(error="not a sitemap (unparseable XML)")
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    error = f"malformed XML (entries may be missing): {errors[0].message.strip()}" if errors else None
    kind = _local(root)
    if kind in ("urlset", "sitemapindex"):
        elements = _children(root, "url" if kind == "urlset" else "sitemap")
        if len(elements) > MAX_URLS:
            too_many = f"{len(elements)} entries, more than the {MAX_URLS} sitemaps.org allows: the rest ignored"
            error = f"{error}; {too_many}" if error else too_many
            del elements[MAX_URLS:]
        if kind == "urlset":
            entries = [e for e in (_url_entry(el, base) for el in elements) if e]
            return SitemapResult("urlset", entries=dedupe_by_url(entries, lambda e: e.url), error=error)
        children = [e for e in (_index_entry(el, base) for el in elements) if e]
        return SitemapResult("index", children=dedupe_by_url(children, lambda e: e.url), error=error)
    if kind in _FEED_ROOTS:
        feed = parse_feed(data, base)
        if feed.is_feed:
            return SitemapResult("urlset", entries=feed.entries, error=feed.error)
    if kind.lower() == "html":
        return SitemapResult(error="not a sitemap (looks like HTML)")
    return SitemapResult(error=f"not a sitemap (root element <{kind}>)")


def _failed(exc: Exception) -> SitemapResult:
    return SitemapResult(error=f"sitemap parser crashed: {type(exc).__name__}: {exc}")


@never_raise(_failed)
def parse_sitemap(body: bytes, url: str) -> SitemapResult:
    """Parse a sitemap body: XML urlset or index (any namespace, or none), plain text, gzipped or not.

    Args:
        body: the response body as downloaded. Gzip is recognised by its magic bytes, not by the
            URL: ``.xml.gz`` files are often served already decompressed, and ``.xml`` ones gzipped.
        url: the sitemap URL, to resolve the (invalid but seen) relative ``<loc>``.

    Returns:
        A SitemapResult; never raises. Unlike Scrapy's own sitemap parser this keeps the Google
        News extension (``news:publication_date`` as ``date``, ``news:title`` as ``title``).
    """
    error: str | None = None
    if body[:2] == _GZIP_MAGIC:
        try:
            body, error = _gunzip(body, MAX_DECOMPRESSED)
        except _TooBig:
            return SitemapResult(error=f"gzip body decompresses to more than {MAX_DECOMPRESSED} bytes")
        except zlib.error as exc:
            return SitemapResult(error=f"corrupt gzip data: {exc}")
    data = body.removeprefix(b"\xef\xbb\xbf").lstrip()  # UTF-8 BOM and blank lines before <?xml
    if not data:
        return SitemapResult(error=error or "empty body")
    result = _parse_xml(data, url) if data.startswith(b"<") else _parse_text(data, url)
    if error:
        result.error = f"{error}; {result.error}" if result.error else error
    return result
