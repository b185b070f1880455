"""Publication and modification times: parse every date form we meet and pick the most trustworthy."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from .items import Discovery

logger = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
"""Every outlet we crawl is Italian: a time written without offset is Rome's wall-clock time."""

# Dates later than the fetch time by more than this are not believed. One day leaves room for
# outlets that stamp tomorrow's print edition the evening before and for wrong offsets (a UTC time
# labelled +02:00), while still refusing match dates, event dates and copyright years ahead.
FUTURE_TOLERANCE = timedelta(days=1)
# Nothing we crawl was published online before this year; earlier values are parse accidents
# (epoch zero, "01/01/1970" placeholders, two-digit years read as the 1900s).
MIN_YEAR = 1990

# Order of trust for the publication date; the first believable candidate wins.
SOURCES = ("json-ld", "meta", "page", "url", "feed", "sitemap")

MONTHS_IT = {
    "gennaio": 1,
    "febbraio": 2,
    "marzo": 3,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "agosto": 8,
    "settembre": 9,
    "ottobre": 10,
    "novembre": 11,
    "dicembre": 12,
}
# Abbreviations as printed in bylines ("4 mar 2026", "4 sett. 2026").
MONTH_ABBR_IT = {"gen": 1, "feb": 2, "mar": 3, "apr": 4, "mag": 5, "giu": 6}
MONTH_ABBR_IT |= {"lug": 7, "ago": 8, "set": 9, "sett": 9, "ott": 10, "nov": 11, "dic": 12}

_MONTH_ALT = "|".join(sorted([*MONTHS_IT, *MONTH_ABBR_IT], key=len, reverse=True))
# A time after a date: "12:30", "12.30", "ore 12:30", "alle 12.30", "h 12:30", "- 12:30", ", 12:30".
# Written without nested repetition: separators, then at most one word, so a long run of spaces or
# commas cannot make the regex backtrack exponentially.
_TIME = r"[\s,|\-–—]*(?:(?:ore|alle|h\.?)\s*)?(?P<H>[01]?\d|2[0-3])[:.](?P<M>[0-5]\d)(?![\d.:/])"
# "4 marzo 2026", "1° marzo 2026", "04 Mar. 2026"; month names matched case-insensitively.
_TEXT_DATE = rf"(?P<td>[0-3]?\d)(?:°|º)?\s+(?P<tm>{_MONTH_ALT})\.?\s+(?P<ty>(?:19|20)\d\d)"
# "04/03/2026", "4-3-2026", "04.03.2026" and two-digit years "04/03/26": day first, as in Italy.
_NUM_DATE = r"(?<![\d/.\-])(?P<nd>[0-3]?\d)[/.\-](?P<nm>[01]?\d)[/.\-](?P<ny>(?:19|20)\d\d|\d\d)(?![\d/\-]|\.\d)"
# "oggi alle 18:05", "ieri, 21.30", "ieri".
_RELATIVE = r"\b(?P<rel>oggi|ieri|l'altro ieri|altro ieri)\b"
ITALIAN_DATE_RE = re.compile(
    rf"(?:{_TEXT_DATE}|{_NUM_DATE}|{_RELATIVE})(?:{_TIME})?",
    re.IGNORECASE,
)
# Words announcing that the date that follows is an update, not the first publication.
_UPDATE_RE = re.compile(r"(aggiornat|modificat|ultima modifica|updated|modified)\w*[^\d]{0,20}$", re.I)
# ISO 8601 with the usual variants ("2026-03-04 12:30:00.123+0100", "2026-03-04T12:30Z").
_ISO_RE = re.compile(r"^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d\d:?\d\d)?$", re.I)
# ISO 8601 basic format, as some JSON-LD writes it: "20180619T055000+0900".
_ISO_BASIC_RE = re.compile(r"^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)?(Z|[+-]\d\d:?\d\d)?$", re.I)
# RFC 2822, as feeds and some meta tags write it: "Wed, 04 Mar 2026 12:30:00 +0100".
_RFC2822_RE = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d")
# Italian day and month abbreviations in RFC 2822 dates ("lun, 28 set 2026 17:22:23 GMT", Sky).
_IT_DAYS = dict(
    zip(
        ["lun", "mar", "mer", "gio", "ven", "sab", "dom"],
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        strict=True,
    )
)
_IT_MONTHS = dict(
    zip(
        ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        strict=True,
    )
)
_RFC2822_IT_RE = re.compile(
    rf"^(?P<day>{'|'.join(_IT_DAYS)})(?=,)|(?<=\d )(?P<month>{'|'.join(_IT_MONTHS)})(?= \d)", re.I
)
# Dates in URL paths, in the forms Italian outlets use: /2026/03/04/ (Sky, ANSA, Repubblica),
# /2026/03/04-151171743/ (Corriere dello Sport), /04-03-2026/ (Gazzetta, Pianeta Milan slugs),
# /04_03_2026/ (Fantacalcio), /26_marzo_04/ (Corriere della Sera), 20260304 alone (not in a
# longer number). Month-only paths (/2026/03/slug) give no day and are not used.
_URL_DATE_RES = (
    re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?=[/_\-.]|$)"),
    re.compile(r"(?<![\d])(?P<d>[0-3]\d)[-_](?P<m>[01]\d)[-_](?P<y>(?:19|20)\d\d)(?![\d])"),
    re.compile(rf"/(?P<y>\d\d)_(?P<mon>{'|'.join(MONTHS_IT)})_(?P<d>[0-3]\d)/", re.I),
    re.compile(r"(?<![\d])(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?![\d])"),
)


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: always timezone-aware; ``has_time`` False when only the day was written."""

    value: datetime
    has_time: bool


@dataclass(frozen=True)
class DateCandidate:
    """One piece of date evidence, in the words of its source."""

    source: str
    """json-ld, meta, page, url, feed or sitemap (see SOURCES)."""
    raw: str
    """The string as found: stored as ``published_raw`` when this candidate wins."""
    value: str | None = None
    """An already normalized form to parse instead of ``raw`` (feed dates come as ISO 8601)."""


@dataclass(frozen=True)
class ChosenDate:
    """The believed date: ISO 8601 with offset, its raw string and where it came from."""

    iso: str
    raw: str
    source: str
    has_time: bool


@dataclass(frozen=True)
class TextDate:
    """An Italian date written in running text, with whether it is labelled as an update."""

    raw: str
    is_update: bool


def to_datetime(value: str | None, default: datetime | None = None) -> datetime:
    """An aware datetime from an ISO 8601 string; naive values are UTC (our fetch stamps are)."""
    if value:
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            logger.debug("unparsable timestamp %r", value)
    return default or datetime.now(UTC)


def _local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """Rome wall-clock time to an aware datetime; zoneinfo picks +01:00 or +02:00 for that day."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=ROME)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=ROME)


def _year(y: str) -> int:
    """Two-digit years belong to this century (``26`` is 2026): older pages never print them."""
    n = int(y)
    return n + 2000 if n < 100 else n


def _parse_iso(raw: str) -> ParsedDate | None:
    s = raw.strip()
    if basic := _ISO_BASIC_RE.match(s):
        y, mo, d, h, mi, sec, off = basic.groups()
        s = f"{y}-{mo}-{d}T{h}:{mi}:{sec or '00'}{off or ''}"
    if not _ISO_RE.match(s):
        return None
    s = re.sub(r"[zZ]$", "+00:00", s.replace(",", "."))
    s = re.sub(r"\s+(?=[+-]\d\d:?\d\d$)", "", s)
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    has_time = len(s) > 10
    # htmldate writes a day-only result as midnight without offset: it said nothing about the time.
    if has_time and dt.tzinfo is None and dt.time() == time(0):
        has_time = False
    return ParsedDate(_aware(dt), has_time)


def _parse_italian(raw: str, now: datetime) -> ParsedDate | None:
    m = ITALIAN_DATE_RE.search(raw)
    if not m:
        return None
    try:
        if m["td"]:
            month = m["tm"].lower()
            day = date(int(m["ty"]), MONTHS_IT.get(month) or MONTH_ABBR_IT[month], int(m["td"]))
        elif m["nd"]:
            day = date(_year(m["ny"]), int(m["nm"]), int(m["nd"]))
        else:
            today = now.astimezone(ROME).date()
            back = {"oggi": 0, "ieri": 1}.get(m["rel"].lower(), 2)
            day = today - timedelta(days=back)
    except (ValueError, KeyError):
        return None
    if m["H"] is not None:
        return ParsedDate(_local(day, int(m["H"]), int(m["M"])), True)
    return ParsedDate(_local(day), False)


def parse_date(raw: str | None, now: datetime | None = None) -> ParsedDate | None:
    """Parse ISO 8601, RFC 2822 and Italian forms ("4 marzo 2026, 12:30", "04/03/2026", "ieri").

    Args:
        raw: the date string as found.
        now: reference for "oggi"/"ieri" (the fetch time); defaults to the current time.

    Returns:
        An aware datetime (Rome time when no offset was written) or None when nothing parses.
    """
    if not raw or not raw.strip():
        return None
    raw = raw.strip()
    parsed = _parse_iso(raw)
    if parsed:
        return parsed
    if _RFC2822_RE.match(raw):
        english = _RFC2822_IT_RE.sub(
            lambda m: _IT_DAYS[m["day"].lower()] if m["day"] else _IT_MONTHS[m["month"].lower()], raw
        )
        try:
            return ParsedDate(_aware(parsedate_to_datetime(english)), True)
        except (TypeError, ValueError):
            pass
    if re.fullmatch(r"\d{10}(?:\d{3})?", raw):  # Unix epoch seconds or milliseconds
        seconds = int(raw[:10])
        return ParsedDate(datetime.fromtimestamp(seconds, UTC), True)
    return _parse_italian(raw, now or datetime.now(UTC))


def find_text_dates(text: str, limit: int = 6) -> list[TextDate]:
    """Italian dates in a byline or date line, each marked as update or not ("Aggiornato il ...")."""
    found: list[TextDate] = []
    for m in ITALIAN_DATE_RE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        found.append(TextDate(m.group(0).strip(" ,-|"), bool(_UPDATE_RE.search(before))))
        if len(found) >= limit:
            break
    return found


def date_from_url(url: str) -> str | None:
    """The date written in a URL path (``/2026/03/04/``, ``/04-03-2026/``, ``/26_marzo_04/``) as YYYY-MM-DD."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I)
    for pattern in _URL_DATE_RES:
        for m in pattern.finditer(path):
            groups = m.groupdict()
            month = MONTHS_IT[groups["mon"].lower()] if groups.get("mon") else int(m["m"])
            try:
                return date(_year(m["y"]), month, int(m["d"])).isoformat()
            except ValueError:
                continue
    return None


def discovery_candidate(discovery: Discovery | None) -> DateCandidate | None:
    """The feed or sitemap publication date as a candidate; listings carry no trusted date."""
    if discovery is None or not discovery.date:
        return None
    source = {"feed": "feed", "sitemap": "sitemap", "news-sitemap": "sitemap"}.get(discovery.via)
    if source is None:
        return None
    return DateCandidate(source, discovery.date_raw or discovery.date, discovery.date)


def believable(value: datetime, fetched_at: datetime) -> bool:
    """Not after the fetch by more than FUTURE_TOLERANCE and not before MIN_YEAR."""
    return value.year >= MIN_YEAR and value <= fetched_at + FUTURE_TOLERANCE


def iso(value: datetime) -> str:
    """ISO 8601 with offset, seconds precision; Rome time when the source gave Rome time."""
    return value.replace(microsecond=0).isoformat()


def choose_date(
    candidates: Iterable[DateCandidate],
    fetched_at: datetime,
    confirm: DateCandidate | None = None,
) -> ChosenDate | None:
    """The first believable candidate, in the order given (callers order them by SOURCES).

    The fetch time bounds what is believable but is never returned as a date. When the winner only
    names a day and ``confirm`` (the feed or sitemap timestamp) falls on that same Rome-local day,
    the feed's timestamp is returned instead, with its source: it agrees with the page and is more
    precise.
    """
    for cand in candidates:
        parsed = parse_date(cand.value or cand.raw, fetched_at)
        if parsed is None:
            logger.debug("unparsable %s date %r", cand.source, cand.raw)
            continue
        if not believable(parsed.value, fetched_at):
            logger.debug("unbelievable %s date %r", cand.source, cand.raw)
            continue
        if not parsed.has_time and confirm is not None and confirm is not cand:
            exact = parse_date(confirm.value or confirm.raw, fetched_at)
            if (
                exact is not None
                and exact.has_time
                and believable(exact.value, fetched_at)
                and exact.value.astimezone(ROME).date() == parsed.value.astimezone(ROME).date()
            ):
                return ChosenDate(iso(exact.value), confirm.raw, confirm.source, True)
        return ChosenDate(iso(parsed.value), cand.raw, cand.source, parsed.has_time)
    return None
