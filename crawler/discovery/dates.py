"""Date parsing for feeds and sitemaps: W3C/ISO 8601 and RFC 822 with Italian names."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import feedparser

logger = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
"""Every outlet we crawl publishes in Italian local time, so a time without offset is Rome time."""

_W3C_RE = re.compile(
    r"""
    (?P<y>\d{4})
    (?:-(?P<mo>\d{1,2})
      (?:-(?P<d>\d{1,2})
        (?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})
          (?::(?P<S>\d{2})(?:[.,](?P<frac>\d+))?)?
        )?
      )?
    )?
    \s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def to_iso(dt: datetime) -> str:
    """ISO 8601 with offset and whole seconds, the one date format every field of ours uses.

    Sub-second precision is dropped: no outlet's publication time means anything below the second,
    and one fixed shape keeps the strings comparable. A naive datetime is read as Rome time.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=ROME)
    return dt.isoformat(timespec="seconds")


def _offset(tz: str | None) -> timezone | ZoneInfo:
    if not tz:
        return ROME
    if tz.upper() == "Z":
        return UTC
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_w3c_date(s: str) -> datetime | None:
    """Parse the W3C profile of ISO 8601 used by sitemaps, Atom and JSON-LD into an aware datetime.

    Accepts ``2026-09-11``, ``2026-09-11T10:00+02:00``, ``2026-09-11T08:00:00Z`` and the non-standard
    ``2026-09-11T10:00:00.000+0200`` that many CMSs write. A missing offset means Europe/Rome (the
    outlets are Italian); the offset given is kept as is. Returns None for anything else.
    """
    if not isinstance(s, str):
        return None
    match = _W3C_RE.fullmatch(s.strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        tz = _offset(g["tz"])
        frac = (g["frac"] or "0")[:6].ljust(6, "0")
        return datetime(
            int(g["y"]),
            int(g["mo"] or 1),
            int(g["d"] or 1),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
            int(frac),
            tzinfo=tz,
        )
    except (ValueError, OverflowError):
        return None


_MONTHS = {
    # Italian: abbreviations are the first three letters of the full name, "sett." also occurs.
    "gen": 1, "gennaio": 1, "feb": 2, "febbraio": 2, "mar": 3, "marzo": 3, "apr": 4, "aprile": 4,
    "mag": 5, "maggio": 5, "giu": 6, "giugno": 6, "lug": 7, "luglio": 7, "ago": 8, "agosto": 8,
    "set": 9, "sett": 9, "settembre": 9, "ott": 10, "ottobre": 10, "nov": 11, "novembre": 11,
    "dic": 12, "dicembre": 12,
    # English, so that one parser reads every RFC 822 date a feed may carry.
    "jan": 1, "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "jun": 6, "june": 6,
    "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

_WEEKDAYS = frozenset(
    {
        "lun", "lunedì", "lunedi", "mar", "martedì", "martedi", "mer", "mercoledì", "mercoledi",
        "gio", "giovedì", "giovedi", "ven", "venerdì", "venerdi", "sab", "sabato", "dom", "domenica",
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
        "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
    }
)  # fmt: skip

_ZONES = {
    "GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "CET": 60, "CEST": 120, "WET": 0, "WEST": 60,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480,
    "PDT": -420,
}  # fmt: skip
"""Zone names RFC 822 allows, plus the Central European ones Italian servers print."""

_COMMENT_RE = re.compile(r"\s*\([^()]*\)\s*$")
"""A trailing RFC 822 comment, as in ``+0200 (CEST)``."""

# "mar" is both martedì and marzo: the weekday can only come before the day number and the month
# only after it, so the position in this pattern decides which one a token is.
_RFC822_RE = re.compile(
    r"""
    (?:(?P<wd>[^\W\d_]+)\.?\s*,?\s*)?
    (?P<d>\d{1,2})°?\s*[\s-]\s*
    (?P<mon>[^\W\d_]+)\.?\s*[\s-]\s*
    (?P<y>\d{4}|\d{2})
    (?:\s*,?\s*(?:ore\s+)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?)?
    (?:\s*(?P<tz>[+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def parse_rfc822(s: str) -> datetime | None:
    """Parse an RFC 822 date, with English or Italian day and month names, into an aware datetime.

    Feeds such as Sky Sport's localise ``pubDate`` (``lun, 28 set 2026 17:22:23 GMT``), which the
    standard library and feedparser cannot read. Full Italian names (``mercoledì 4 marzo 2026``)
    are accepted too. The weekday is not checked against the date, since feeds get it wrong and
    the date is still right. No offset means Europe/Rome; ``-0000`` means UTC.
    """
    if not isinstance(s, str):
        return None
    match = _RFC822_RE.fullmatch(_COMMENT_RE.sub("", s).strip())
    if not match:
        return None
    g = match.groupdict()
    if g["wd"] and g["wd"].lower() not in _WEEKDAYS:
        return None
    month = _MONTHS.get(g["mon"].lower())
    if month is None:
        return None
    year = int(g["y"])
    if len(g["y"]) == 2:
        year += 2000 if year < 50 else 1900  # RFC 2822 section 4.3
    tz_text = g["tz"]
    tz: timezone | ZoneInfo
    if tz_text is None:
        tz = ROME
    elif tz_text[0] in "+-":
        tz = _offset(tz_text)
    elif tz_text.upper() in _ZONES:
        tz = timezone(timedelta(minutes=_ZONES[tz_text.upper()]))
    else:
        return None
    try:
        return datetime(year, month, int(g["d"]), int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0), tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def parse_date(s: str | None) -> datetime | None:
    """Any date a feed or sitemap may carry, keeping the offset the source wrote."""
    if not s or not isinstance(s, str):
        return None
    return parse_w3c_date(s) or parse_rfc822(s)


def struct_to_datetime(value: time.struct_time | tuple[int, ...] | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are UTC without offset: make them aware, in UTC."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _feedparser_handler(s: str) -> time.struct_time | None:
    """feedparser wants a UTC 9-tuple; giving it Italian dates also fills its ``*_parsed`` fields."""
    dt = parse_rfc822(s)
    if dt is None:
        return None
    return dt.astimezone(UTC).timetuple()


_registered = False


def register_feedparser_handler() -> None:
    """Teach feedparser Italian RFC 822 dates, once per process (it keeps a global handler list)."""
    global _registered
    if not _registered:
        feedparser.registerDateHandler(_feedparser_handler)
        _registered = True
