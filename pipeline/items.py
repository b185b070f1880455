"""Items that flow from the spider through the pipeline stages to storage: plain dataclasses.

They carry strings and bytes, never a live ``Response``, so they can cross process boundaries
(the extraction pool) and be tested without Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Discovery:
    """What a feed or sitemap said about an article URL before it was fetched.

    Slotted: one waits in the article backlog for every URL a sitemap listed until its turn (20,000
    at once at the start of a 20,000-URL sitemap), and an instance dict cost 48 bytes more each."""

    via: str
    """How the URL was found: ``feed``, ``sitemap``, ``news-sitemap``, ``listing``."""
    source_url: str
    """The feed, sitemap or listing page that listed it."""
    date: str | None = None
    """ISO 8601 timestamp with offset of the feed/sitemap publication date, when given."""
    date_raw: str | None = None
    """The date string as the feed or sitemap wrote it."""
    lastmod: str | None = None
    """ISO 8601 ``lastmod`` / ``updated`` timestamp, when given (used to re-fetch changed articles)."""
    title: str | None = None
    """Title from the feed item or ``news:title``."""


@dataclass
class FetchedPage:
    """An article page as downloaded (status 200), before extraction."""

    outlet: str
    """Outlet key."""
    url: str
    """The URL requested (after our own redirect handling: the final article URL)."""
    body: bytes
    """Raw response body (already decompressed from Content-Encoding)."""
    content_type: str
    """Content-Type header, used to pick the charset."""
    http_status: int
    """HTTP status code."""
    fetched_at: str
    """ISO 8601 UTC time of the download."""
    discovery: Discovery
    """How the URL was found."""
    redirected_from: list[str] = field(default_factory=list)
    """URLs that redirected here."""


@dataclass
class ExtractedArticle:
    """An article after extraction and language detection: one future row of ``articles``."""

    outlet: str
    url: str
    """The fetched URL."""
    canonical_url: str
    """The page's own canonical URL when trustworthy (same site), else the cleaned fetched URL."""
    url_key: str
    """Normalized form of ``canonical_url`` used to find URL duplicates (see pipeline/urls.py)."""
    title: str | None
    """Headline without the outlet's name glued to it."""
    authors: list[str]
    published_at: str | None
    """ISO 8601 with offset; None when no believable date was found."""
    published_raw: str | None
    """The date string as found in its source."""
    published_source: str | None
    """Where the date came from: json-ld, meta, page, url, feed, sitemap."""
    modified_at: str | None
    description: str | None
    section: str | None
    tags: list[str]
    image: str | None
    text: str
    """Main text, paragraphs separated by single newlines, whitespace trimmed."""
    language: str | None
    """ISO 639-1 code from langdetect, None when undetectable."""
    language_prob: float | None
    word_count: int
    content_hash: str
    """SHA-1 hex of the normalized text (case, punctuation and spacing folded)."""
    page_kind: str
    """article, live, gallery, video or paywalled."""
    fetched_at: str
    http_status: int
    raw_html: bytes
    """The original body, kept so extraction can be re-run later. Empty once ``html_compressed`` holds
    it: the extraction worker sends back only that, so the crawl process never holds a page twice."""
    content_type: str
    discovery: Discovery
    redirected_from: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    """article_id of the earliest article with the same (or near-same) text on another outlet."""
    duplicate_kind: str | None = None
    similarity: float | None = None
    html_compressed: bytes | None = None
    """``raw_html`` as the archive keeps it (storage/page_codec.py: zstd), made in the extraction worker
    so the main process does not compress."""
    minhash: bytes | None = None
    """MinHash signature of the text (pipeline/near_dupes.py), made in the worker: per-page CPU."""
    near_words: int | None = None
    """Number of words the signature was made from (short texts are not near-deduplicated)."""
    predates: str | None = None
    """article_id of another outlet's copy of this same text that was stored first but published
    later: this article is the first copy, and the writer links that one (and its copies) to it."""
    near_pending: bool = False
    """The near-duplicate lookup is still to come: in a crawl it runs inside the store stage's write
    transaction (pipeline/store_stage.py), so the item does not wait for it."""


@dataclass
class Reject:
    """A URL that did not become an article, with the reason."""

    outlet: str
    url: str
    reason: str
    """Short code: http_404, http_500, no_text, not_article, robots, timeout, dns, too_large, ..."""
    detail: str = ""
    http_status: int | None = None
    stage: str = "article"
    """``article`` for article URLs, ``source`` for feeds, sitemaps, robots.txt and listing pages."""


@dataclass
class Duplicate:
    """A URL that did not become an article because it is a copy of one."""

    outlet: str
    url: str
    duplicate_of: str
    """article_id of the article it duplicates."""
    duplicate_of_url: str
    kind: str
    """url (tracking/AMP/mobile variant or same canonical), redirect, exact (same text, same outlet)."""
    similarity: float = 1.0
