"""Main text and metadata of an article page: trafilatura for the text, JSON-LD and meta read by us."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.etree import XPath
from lxml.html import Element, HtmlElement
from trafilatura.utils import load_html

from . import dates, pages
from .dates import DateCandidate, TextDate
from .page_metadata import PageMetadata
from .urls import clean_url, same_site

logger = logging.getLogger(__name__)

# schema.org types whose object describes the article itself (NewsArticle and its subtypes, plus
# the generic Article/BlogPosting that smaller outlets use).
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "LiveBlogPosting",
        "BlogPosting",
        "SportsArticle",
        "Report",
    }
)
# Separators between a headline and the outlet name glued to it in <title> and og:title.
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ")
# A headline left with fewer words than this after removing a segment is not stripped: the
# "segment" was probably part of it ("Inter - Milan" on inter.it). Two words keep "Inter-Milan 2-1".
MIN_TITLE_WORDS_LEFT = 2
# A trailing segment containing a site name (rather than equal to it) is stripped only when it is
# this short (outlet names run to four or five words: "La Gazzetta dello Sport") and the name this
# long (shorter labels such as "sky" or "rai" also occur inside ordinary words).
MAX_SITE_NAME_WORDS = 5
SITE_NAME_MIN_CHARS = 5

# A title is cut down to another title of the page (its <h1>, og:title...) only when that one keeps at
# least this many characters: 15 is three short words or a CJK headline, while kickers and section
# labels that could head a title ("Serie A", "LIVE") are shorter. Re-run `sportnews evaluate` after
# changing it.
MIN_HEADLINE_PREFIX_CHARS = 15
# What follows the headline in a title carrying the site name: a separator, possibly after spaces.
_HEADLINE_TAIL_RE = re.compile(r"\s*[|\-–—:：*/·•ㅣ]")
_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "«": '"',
                             "»": '"'})  # fmt: skip

# Lines at the top of the text checked for a repeated headline: the h1 comes first, or after a kicker
# or a date line. Re-run `sportnews evaluate` after changing it.
HEADLINE_LINES = 3

# Byline lines are short: a few names and "di" (the longest in the fixtures and the corpus is under
# 60 characters); longer lines are sentences that happen to name the author.
MAX_BYLINE_CHARS = 100

# Paragraphs that trafilatura sometimes keeps but that are page furniture, not article text. Only
# paragraphs shorter than BOILERPLATE_MAX_CHARS are tested, so a real paragraph that happens to start
# with these words survives (teasers and notices are one line; 200 is about two lines of a page).
BOILERPLATE_MAX_CHARS = 200
BOILERPLATE_RES = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\W*leggi anche\b",  # link to another article: "Leggi anche: ...", "LEGGI ANCHE -> ..."
        r"^\W*(leggi|guarda) (l'articolo|il video|la gallery|le foto|tutt[eoi])\b",  # teaser links
        r"^\W*(ti potrebbe interessare|potrebbe interessarti|potrebbero interessarti)\b",  # related box
        r"^\W*(©\s*)?riproduzione riservata",  # copyright notice under RCS/GEDI articles
        r"riproduzione riservata\W*(©|\(c\))?\W*$",  # same notice at the end of the last line
        r"^\W*(©|copyright|\(c\))?\s*(tutti i diritti riservati|all rights reserved)",  # footer
        r"^\W*(segui(ci)?|seguite) .{0,60}\b(su|on) (google news|facebook|instagram|telegram|whatsapp|x)\b",
        r"^\W*iscriviti (alla|al) (nostra |nostro )?(newsletter|canale)",  # newsletter / channel prompt
        r"^\W*(per continuare a leggere|sei già abbonato|abbonati (ora|per))",  # paywall prompt
        r"^\W*abbonati a .{1,60}\bper (continuare a )?leggere",  # "Abbonati a G+ per leggere l'articolo"
        r"^\W*contenuto (premium|riservato( agli abbonati)?)\W*$",  # the paywall label (Gazzetta G+)
        r"^l'articolo .{1,200} proviene da .{1,80}$",  # WordPress feed-footer plugin (OA Sport)
    )
)

# A text more than this share of whole link texts is a list of links (a section or tag page). On
# the 130 corpus articles the largest share is 0.155 (a page closing on related headlines); a
# section page extracts as links only (1.0). Half sits well between the two.
MAX_LINK_SHARE = 0.5
# Lines longer than this are paragraphs, not headlines (Italian headlines run 60-120 characters).
MAX_HEADLINE_CHARS = 200

# Reading the page ourselves: one pass of XPath over the tree trafilatura also gets.
_JSONLD_NODES_XP = XPath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]")
# Comment or CDATA wrappers some CMSs still put around script content ("<![CDATA[ {...} ]]>").
_WRAPPER_RE = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_META_XP = XPath("//meta[@content]")
_ANCHOR_XP = XPath("//a")
_META_AUTHOR_XP = XPath("//meta[@name='author'][@content]")
_CANONICAL_XP = XPath(
    "//link[@href][contains(concat(' ', translate(@rel, 'CANONICAL', 'canonical'), ' '), ' canonical ')]/@href"
)
_ITEMPROP_DATE_XP = XPath("//*[@itemprop='datePublished' or @itemprop='dateModified'][not(self::meta)]")
# Elements that carry the byline or date line: where an Italian textual date is to be found.
_DATE_NODES_XP = XPath(
    "//time | //*[not(self::script or self::style or self::body or self::html or self::article)]"
    "[contains(@class, 'date') or contains(@class, 'data') or contains(@class, 'time')"
    " or contains(@class, 'byline') or contains(@class, 'pubblica') or contains(@id, 'date')]"
)
_H1_XP = XPath("(//h1)[1]")
_H1_FOLLOWING_XP = XPath("(//h1)[1]/following::text()[normalize-space()][position() <= 25]")
# Date nodes longer than this are containers (a whole teaser list), not a date line.
MAX_DATE_NODE_CHARS = 160
# Date nodes examined, in document order; the byline is near the top of the article.
MAX_DATE_NODES = 30

# meta names (property, name or itemprop, lower-cased) that carry the publication time.
PUBLISHED_META = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "published_time",
    "article:published",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "sailthru.date",
    "parsely-pub-date",
    "date",
)
MODIFIED_META = ("article:modified_time", "datemodified", "og:updated_time", "dcterms.modified", "last-modified")

_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|,|\s&\s|\s(?:e|and|und)\s|\n)\s*", re.I)
_AUTHOR_PREFIX_RE = re.compile(r"^(?:di|da|a cura di|by|von|par)\s+", re.I)
_LIVE_URL_TOKENS = frozenset({"live", "liveblog", "diretta"})
# Words in a URL or headline that announce where to watch a match ("dove vederla in diretta tv"):
# a preview, not a live blog.
_TV_TOKENS = frozenset({"dove", "vedere", "vederla", "vederlo", "tv", "streaming", "canale"})
# Path segments (between slashes) of gallery and video sections: "/foto/", "/video/calcio/...".
# Whole segments only: an article slug may well say "la-foto-di-leao" or "guarda-il-video".
_GALLERY_SEGMENTS = frozenset({"foto", "fotogallery", "gallery", "photogallery", "galleria", "fotogalleria", "photos"})
_VIDEO_SEGMENTS = frozenset({"video", "videos", "videogallery"})
# Slug words that name a gallery even inside an article-like slug ("milan-festa-fotogallery").
_GALLERY_TOKENS = frozenset({"fotogallery", "photogallery", "fotogalleria", "gallery"})


class NotHTMLError(ValueError):
    """The decoded body does not parse as an HTML document (plain text, JSON, an empty shell)."""


@dataclass
class PageSignals:
    """What the page says about itself in JSON-LD and meta tags, read once with lxml."""

    jsonld: dict[str, Any] = field(default_factory=dict)
    """The first article object of the page's JSON-LD (empty when none)."""
    jsonld_types: set[str] = field(default_factory=set)
    """Every @type seen in the page's JSON-LD (VideoObject, ImageGallery...)."""
    meta: dict[str, list[str]] = field(default_factory=dict)
    """meta content by lower-cased property/name/itemprop, in document order."""
    canonical: str | None = None
    itemprop_dates: dict[str, str] = field(default_factory=dict)
    """datePublished/dateModified from non-meta elements (``<time itemprop datetime>``)."""

    def first(self, *names: str) -> str | None:
        """The first non-empty content among ``names``, tried in the order given (order of trust)."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None


@dataclass
class Extraction:
    """Everything taken from one page, before dates are chosen and language detected."""

    text: str
    title: str | None
    authors: list[str]
    description: str | None
    section: str | None
    tags: list[str]
    image: str | None
    canonical_url: str
    sitename: str | None
    page_kind: str
    published: list[DateCandidate]
    """Publication date candidates from the page, in order of trust (json-ld, meta, page, url)."""
    modified: list[DateCandidate]
    link_list: bool = False
    """The text is mostly lines that are whole link texts: a section or tag page, not an article."""


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    items = t if isinstance(t, list) else [t]
    return {str(x).rsplit("/", 1)[-1] for x in items if x}


def _walk_jsonld(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD block: top level, lists, @graph and mainEntity nesting."""
    if depth > 4:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity"):
            if key in node:
                yield from _walk_jsonld(node[key], depth + 1)


def _read_jsonld(tree: HtmlElement, signals: PageSignals) -> None:
    for script in _JSONLD_NODES_XP(tree):
        text = _WRAPPER_RE.sub("", script.text or "")
        try:
            data = json.loads(text, strict=False)  # strict=False: raw newlines inside strings
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested past Python's stack
            logger.debug("malformed JSON-LD skipped (%d chars)", len(text))
            continue
        for obj in _walk_jsonld(data):
            types = _types(obj)
            signals.jsonld_types |= types
            if not signals.jsonld and types & ARTICLE_TYPES:
                signals.jsonld = obj


def read_signals(tree: HtmlElement) -> PageSignals:
    """JSON-LD article object, meta tags and canonical link of a parsed page."""
    signals = PageSignals()
    _read_jsonld(tree, signals)
    for el in _META_XP(tree):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if key:
            signals.meta.setdefault(key.strip().lower(), []).append(el.get("content", ""))
    canonicals = _CANONICAL_XP(tree)
    signals.canonical = canonicals[0].strip() if canonicals else None
    for el in _ITEMPROP_DATE_XP(tree):
        value = el.get("datetime") or el.get("content") or el.text_content()
        if value and value.strip():
            signals.itemprop_dates.setdefault(el.get("itemprop", "").lower(), value.strip())
    return signals


def text_dates(tree: HtmlElement) -> list[TextDate]:
    """Italian dates in date/byline elements, then in the lines right below the first <h1>."""
    found: list[TextDate] = []
    seen = 0
    for el in _DATE_NODES_XP(tree):
        text = " ".join(el.text_content().split())
        if not text or len(text) > MAX_DATE_NODE_CHARS:
            continue
        seen += 1
        found.extend(dates.find_text_dates(text))
        if seen >= MAX_DATE_NODES or len(found) >= 6:
            break
    window = " ".join(" ".join(t.split()) for t in _H1_FOLLOWING_XP(tree))[:400]
    found.extend(dates.find_text_dates(window, limit=3))
    return found


def _string(value: Any) -> str | None:
    """A JSON-LD value as one string: first of a list, ``name``/``url``/``@id`` of an object."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("url") or value.get("@id")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(unescape(str(value)).split())
        return text or None
    return None


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [s for s in (_string(v) for v in items) if s]


def split_authors(value: str | list[str] | None) -> list[str]:
    """Author names as a list, split on ";", ",", "&" and the word "and" (Italian, English, German).

    Leading "di", "a cura di", "by" are dropped; the same name spelt twice ("Emma Mackenzie",
    "Emma-Mackenzie") is kept once.
    """
    if not value:
        return []
    raw = value if isinstance(value, list) else [value]
    names: list[str] = []
    seen: set[str] = set()
    for item in raw:
        for part in _AUTHOR_SPLIT_RE.split(item):
            name = _AUTHOR_PREFIX_RE.sub("", part.strip()).strip(" .-|")
            key = _norm_name(name)
            if key and "://" not in name and key not in seen:
                seen.add(key)
                names.append(name)
    return names


def _authors(obj: dict[str, Any]) -> list[str]:
    """JSON-LD ``author`` (or ``creator``) names: a string, an object with ``name``, or a list.

    Organisations named as author (an agency, the outlet) are kept: on the corpus, preferring
    trafilatura's byline search over them got as many pages wrong as it put right.
    """
    value = obj.get("author") or obj.get("creator")
    items = value if isinstance(value, list) else [value]
    return split_authors([n for n in (_string(v) for v in items) if n])


def _is_false(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"false", "no", "0"}
    return value is False


def _norm_name(text: str) -> str:
    """Letters and digits only, accents and case folded: "Aktuálně.cz" -> "aktualnecz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\W_]+", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def site_names(page_url: str, *names: str | None) -> set[str]:
    """Normalized names an outlet goes by: given names, the host and its main label."""
    host = (urlsplit(page_url).hostname or "").lower().removeprefix("www.")
    found = {_norm_name(n) for n in names if n}
    if host:
        found.add(_norm_name(host))
        labels = host.split(".")
        if len(labels) >= 2:
            found.add(_norm_name(labels[-2]))
    return {n for n in found if len(n) >= 3}


def strip_site_name(title: str, names: set[str]) -> str:
    """Remove a leading or trailing `` | Outlet`` segment when it is one of the outlet's names.

    Generic on purpose (no per-site list): a segment is removed when, folded to letters and digits,
    it equals the site name, host or host label, or is one of them plus a short suffix ("Sky Sport"
    for sky.it, "Gazzetta.it"). A trailing segment of a few words that contains a name of
    SITE_NAME_MIN_CHARS or more also goes ("Die Neue Südtiroler Tageszeitung" on tageszeitung.it):
    outlets append their full name, headlines rarely end in " - " plus a short phrase naming them.
    """
    title = " ".join(unescape(title).split())

    def matches(segment: str, trailing: bool) -> bool:
        seg = _norm_name(segment)
        if not seg:
            return False
        if seg in names or any(seg.startswith(n) and len(seg) - len(n) <= 6 for n in names):
            return True
        return (
            trailing
            and len(segment.split()) <= MAX_SITE_NAME_WORDS
            and any(len(n) >= SITE_NAME_MIN_CHARS and n in seg for n in names)
        )

    for sep in TITLE_SEPARATORS:
        if sep in title:
            head, tail = title.rsplit(sep, 1)
            if matches(tail, True) and len(head.split()) >= MIN_TITLE_WORDS_LEFT:
                title = head.strip()
        if sep in title:
            lead, rest = title.split(sep, 1)
            if matches(lead, False) and len(rest.split()) >= MIN_TITLE_WORDS_LEFT:
                title = rest.strip()
    return title


def _fold_quotes(text: str) -> str:
    """Typographic quotes and apostrophes as ASCII, one character for one, for comparing sources."""
    return text.translate(_QUOTE_FOLD)


def trim_to_headline(title: str, others: Iterable[str | None]) -> str:
    """Cut ``title`` where another title of the page ends, when what follows starts with a separator.

    Site names glued on with separators our list does not know ("-新华网", "：中日新聞Web",
    " * The Gateway Pundit * by ...", " / Politik / Home - stol.it") or names unlike the host
    ("Parco Nazionale d'Abruzzo" on parcoabruzzo.it) are told apart by the page itself: its <h1> or
    another meta title stops where the headline stops. The longest such prefix wins (the smallest
    cut); it must keep MIN_HEADLINE_PREFIX_CHARS, so a one-word kicker cannot shorten a headline.
    """
    title = " ".join(title.split())
    folded = _fold_quotes(title)
    best = 0
    for other in others:
        if not other:
            continue
        prefix = _fold_quotes(" ".join(unescape(other).split()))
        n = len(prefix)
        if (
            MIN_HEADLINE_PREFIX_CHARS <= n < len(title)
            and n > best
            and folded.startswith(prefix)
            and _HEADLINE_TAIL_RE.match(title, n)
        ):
            best = n
    return title[:best].rstrip() if best else title


def is_boilerplate(paragraph: str) -> bool:
    """True for short Italian page-furniture paragraphs ("Leggi anche", "Riproduzione riservata")."""
    if len(paragraph) > BOILERPLATE_MAX_CHARS:
        return False
    return any(p.search(paragraph) for p in BOILERPLATE_RES)


def clean_text(text: str | None) -> str:
    """One paragraph a line, each trimmed and with inner whitespace collapsed; boilerplate dropped."""
    if not text:
        return ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line and not is_boilerplate(line))


def drop_headline_lines(text: str, *headlines: str | None) -> str:
    """Remove lines at the top of the text that repeat the headline (the title is its own field).

    trafilatura keeps the article's <h1> when it sits inside the article container, as on most
    Italian outlets; reference texts and readers take the headline apart. Only the first
    HEADLINE_LINES lines are looked at, compared whitespace- and quote-folded with the title, the
    page's h1 and og:title.
    """
    keys = {_fold_quotes(" ".join(h.split())).casefold() for h in headlines if h and h.strip()}
    if not text or not keys:
        return text
    lines = text.split("\n")
    head = lines[:HEADLINE_LINES]
    kept = [line for line in head if _fold_quotes(line).casefold() not in keys]
    return "\n".join(kept + lines[HEADLINE_LINES:])


def drop_byline_lines(text: str, authors: list[str]) -> str:
    """Remove short lines that are only the byline ("di Emanuele Gamba"): the authors are a field.

    A line goes when, without a leading "di"/"by", every name it splits into is one of ``authors``.
    """
    keys = {_norm_name(a) for a in authors if a}
    if not text or not keys:
        return text
    kept = []
    for line in text.split("\n"):
        if len(line) <= MAX_BYLINE_CHARS:
            names = [_norm_name(n) for n in split_authors(line)]
            if names and all(n in keys for n in names):
                continue
        kept.append(line)
    return "\n".join(kept)


def canonical_url(page_url: str, *candidates: str | None) -> str:
    """The first same-site, non-homepage candidate (rel=canonical, og:url), else the cleaned URL.

    Homepage canonicals and canonicals on another site are template mistakes or syndication, and
    would make every article of the page's template one URL.
    """
    for cand in candidates:
        if not cand:
            continue
        absolute = urljoin(page_url, cand.strip())
        parts = urlsplit(absolute)
        if parts.scheme in ("http", "https") and parts.path not in ("", "/") and same_site(absolute, page_url):
            return clean_url(absolute)
    return clean_url(page_url)


def _tokens(text: str) -> set[str]:
    """Lower-case words, split on anything but letters and digits (slugs use "-" and "_")."""
    return set(re.split(r"[\W_]+", text.lower())) - {""}


def page_kind(signals: PageSignals, title: str | None, url: str) -> str:
    """article, or paywalled / live / gallery / video, checked in that order (first match wins).

    paywalled: JSON-LD ``isAccessibleForFree`` false (also on a ``hasPart``) or an RCS
    ``_preview.shtml`` URL. live: LiveBlogPosting, an upper-case "LIVE" or a title starting with
    "diretta"/"live", or a "live"/"diretta" token in the URL, unless the words around it say
    where to watch a match. gallery: ImageGallery type or a photo-gallery token in the URL. video:
    og:type video, or a VideoObject with no article object, or a /video/ path segment.
    """
    obj = signals.jsonld
    parts = [obj, *(p for p in _objects(obj.get("hasPart")))]
    path = urlsplit(url).path.lower()
    if any(_is_false(p.get("isAccessibleForFree")) for p in parts) or path.endswith("_preview.shtml"):
        return "paywalled"
    title = title or ""
    url_tokens = _tokens(path)
    title_tokens = _tokens(title)
    if "LiveBlogPosting" in signals.jsonld_types or re.search(r"\bLIVE\b", title):
        return "live"
    if re.match(r"\W*(diretta|live)\b", title, re.I):
        return "live"
    if (url_tokens & _LIVE_URL_TOKENS or "diretta" in title_tokens) and not (url_tokens | title_tokens) & _TV_TOKENS:
        return "live"
    segments = set(path.split("/"))
    if signals.jsonld_types & {"ImageGallery", "MediaGallery"} or segments & _GALLERY_SEGMENTS:
        return "gallery"
    if url_tokens & _GALLERY_TOKENS:
        return "gallery"
    og_type = (signals.first("og:type") or "").lower()
    if og_type.startswith("video") or segments & _VIDEO_SEGMENTS:
        return "video"
    if "VideoObject" in signals.jsonld_types and not obj:
        return "video"
    return "article"


def _objects(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, dict)]


def _date_params(fetched_at: datetime, extensive: bool) -> dict[str, Any]:
    """htmldate settings: time kept, no dates after the fetch tolerance, extensive only if needed."""
    return {
        "original_date": True,
        "extensive_search": extensive,
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "min_date": f"{dates.MIN_YEAR}-01-01",
        "max_date": (fetched_at + dates.FUTURE_TOLERANCE).strftime("%Y-%m-%d"),
    }


def _hand_over(tree: HtmlElement, authors: list[str]) -> None:
    """Prepare our tree for trafilatura, which works on a copy of it, without repeating our work.

    The JSON-LD blocks are dropped: we have read them, and trafilatura's own JSON-LD reader cost
    16 ms/page on the corpus (a third of its metadata step), mostly regex repairs of blocks it
    cannot parse. The authors found there go into a ``<meta name="author">``: without one
    trafilatura searches the whole page for a byline (another 5.7 ms/page).
    """
    for script in _JSONLD_NODES_XP(tree):
        script.drop_tree()
    if authors and not _META_AUTHOR_XP(tree):
        head = tree.find("head")
        if head is not None:
            head.append(Element("meta", name="author", content="; ".join(authors)))


def _page_dates(
    found: str | None, byline_dates: list[TextDate], url_day: str | None, fetched_at: datetime
) -> list[DateCandidate]:
    """Page-level candidates: the dates written in the byline, then htmldate's answer.

    The byline (date-classed elements, the lines under the headline) is what the reader sees;
    htmldate's extensive search guesses from anything on the page. With JSON-LD and meta dates
    removed from the 130 corpus pages, byline first was right on 0.69 of them, htmldate first
    0.61, byline first only when htmldate had no time 0.66 (tests of the fallback path, re-run
    after changing the order). htmldate also reads the URL: a day-only answer equal to the URL's
    date is left to the ``url`` source, so ``published_source`` says where the evidence is.
    """
    candidates = [DateCandidate("page", d.raw) for d in byline_dates if not d.is_update]
    parsed = dates.parse_date(found, fetched_at) if found else None
    if found and parsed and (parsed.has_time or url_day != parsed.value.date().isoformat()):
        candidates.append(DateCandidate("page", found))
    return candidates


def is_link_list(tree: HtmlElement, text: str) -> bool:
    """True when more than MAX_LINK_SHARE of ``text`` is lines that are each a whole link text.

    A section or tag page that slipped through as an "article" extracts as a list of headlines,
    every one a link; article paragraphs are almost never a whole link. Only short lines can be
    headlines, so pages made mostly of long paragraphs are answered without collecting the links
    (which costs about 1.4 ms on a real page).
    """
    if not text:
        return False
    lines = text.split("\n")
    short = [line for line in lines if len(line) <= MAX_HEADLINE_CHARS]
    if sum(map(len, short)) <= MAX_LINK_SHARE * len(text):
        return False
    anchors = {" ".join(a.text_content().split()) for a in _ANCHOR_XP(tree)}
    return sum(len(line) for line in short if line in anchors) > MAX_LINK_SHARE * len(text)


def _structured_dates(signals: PageSignals) -> tuple[list[DateCandidate], list[DateCandidate]]:
    """Publication and modification candidates from JSON-LD, then meta, in that order of trust."""
    obj = signals.jsonld
    published: list[DateCandidate] = []
    modified: list[DateCandidate] = []
    if value := _string(obj.get("datePublished")):
        published.append(DateCandidate("json-ld", value))
    if value := signals.first(*PUBLISHED_META) or signals.itemprop_dates.get("datepublished"):
        published.append(DateCandidate("meta", value))
    if value := _string(obj.get("dateModified")):
        modified.append(DateCandidate("json-ld", value))
    if value := signals.first(*MODIFIED_META) or signals.itemprop_dates.get("datemodified"):
        modified.append(DateCandidate("meta", value))
    return published, modified


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        v = " ".join(v.split())
        if v and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


def extract(html: str, url: str, fetched_at: datetime, *, fast: bool = True, outlet: str | None = None) -> Extraction:
    """Extract text, metadata and date evidence from a decoded page.

    Args:
        html: the page as text (already decoded).
        url: the fetched URL (for relative links, the canonical check and dates in the path).
        fetched_at: the download time: bounds believable dates and anchors "oggi"/"ieri".
        fast: trafilatura's ``fast`` mode (skips the fallback extractors). On the corpus it scores
            the same text F1 as the default (0.960 both) in about 10% less time.
        outlet: the outlet key, to pick its page class (pipeline/pages); else the URL's host picks.

    Returns:
        An Extraction; its ``text`` is empty when trafilatura found no main text.

    Raises:
        NotHTMLError: when the page cannot be parsed as HTML at all. trafilatura's own errors
            propagate too: the worker turns every exception into a Reject.
    """
    tree = load_html(html)
    if tree is None:
        raise NotHTMLError("does not parse as an HTML document")
    signals = read_signals(tree)
    obj = signals.jsonld
    authors = _authors(obj)
    _hand_over(tree, authors)
    page_class = pages.page_class(outlet, url, fetched_at)
    page = page_class(tree, signals, url) if page_class else None
    if page is not None:
        page.prune()

    published, modified = _structured_dates(signals)
    # Extensive htmldate search and byline dates only when JSON-LD and meta give no believable date.
    structured = any(
        (parsed := dates.parse_date(c.raw, fetched_at)) and dates.believable(parsed.value, fetched_at)
        for c in published
    )
    # tree is an HtmlElement: trafilatura works on its own copy, so ours stays intact. Its metadata
    # is read lazily from our tree (pipeline/page_metadata.py): most fields are only fallbacks here.
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
    )
    meta = PageMetadata(tree, url, _date_params(fetched_at, extensive=not structured))

    # Byline dates and htmldate only when the page has no structured date: choose_date takes the
    # first believable candidate, and a believable JSON-LD or meta date comes before both, so they
    # would never be read (the XPath over every element's class alone costs about 4 ms/page).
    in_text = text_dates(tree) if not structured else []
    url_day = dates.date_from_url(url)
    published += _page_dates(meta.date if not structured else None, in_text, url_day, fetched_at)
    if url_day:
        published.append(DateCandidate("url", url_day))
    modified += [DateCandidate("page", d.raw) for d in in_text if d.is_update]

    sitename = signals.first("og:site_name") or _string(obj.get("publisher")) or meta.sitename
    # og:title first: it is the headline the outlet shows when the page is shared, where JSON-LD
    # ``headline`` is often an SEO variant or cut at Google's 110 characters. On the 130 corpus
    # pages (with the trimming below) og:title first is exact on 0.869, headline first on 0.800;
    # better on both random halves (0.846 / 0.892 against 0.815 / 0.785, `sportnews evaluate`).
    title = signals.first("og:title") or _string(obj.get("headline")) or meta.title
    if title:
        names = site_names(url, sitename, meta.sitename)
        title = strip_site_name(title, names) or None
    if title:
        h1 = _H1_XP(tree)
        others = (h1[0].text_content() if h1 else None, _string(obj.get("headline")), signals.first("og:title"),
                  signals.first("twitter:title"))  # fmt: skip
        title = trim_to_headline(title, others)

    authors = authors or split_authors(meta.author)
    section = _string(obj.get("articleSection")) or signals.first("article:section")
    if not section and meta.categories:
        section = meta.categories[0]
    keywords = obj.get("keywords")
    tags = keywords.split(",") if isinstance(keywords, str) else _strings(keywords)
    tags = tags or signals.meta.get("article:tag", []) or meta.tags or []
    description = _string(obj.get("description")) or signals.first("og:description", "description") or meta.description
    image = signals.first("og:image") or _string(obj.get("image")) or meta.image
    text = clean_text(doc.text if doc else None)
    h1 = _H1_XP(tree)
    text = drop_headline_lines(text, title, h1[0].text_content() if h1 else None, signals.first("og:title"))
    text = drop_byline_lines(text, authors)
    ex = Extraction(
        text=text,
        link_list=is_link_list(tree, text),
        title=title,
        authors=authors,
        description=description or None,
        section=section,
        tags=_dedupe(tags),
        image=urljoin(url, image) if image else None,
        canonical_url=canonical_url(url, signals.canonical, signals.first("og:url")),
        sitename=sitename or None,
        page_kind=page_kind(signals, title, url),
        published=published,
        modified=modified,
    )
    return pages.apply(page, ex) if page is not None else ex
