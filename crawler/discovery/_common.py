"""Helpers shared by the discovery parsers: URL cleaning and the never-raise guard."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar
from urllib.parse import urljoin, urlsplit

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_URL_CONTROL_RE = re.compile(r"[\t\r\n]")
_SPACES_RE = re.compile(r"\s+")


def decode_entities(text: str) -> str:
    """Decode the HTML entities an XML parser left behind (double-escaped ``&amp;amp;`` is common).

    Only ``;``-terminated entities are decoded: ``html.unescape`` would also turn the query
    string ``?a=1&copy=2`` into ``?a=1©=2``.
    """
    for _ in range(3):  # "&amp;amp;amp;" is the worst seen; stop there rather than loop forever
        decoded = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)
        if decoded == text:
            break
        text = decoded
    return text


def clean_text(text: str | None) -> str | None:
    """Entity-decoded, whitespace-collapsed text, or None when nothing is left."""
    if not text:
        return None
    text = _SPACES_RE.sub(" ", decode_entities(text)).strip()
    return text or None


def absolute_url(raw: str | None, base: str, *, decode: bool = True) -> str | None:
    """Resolve ``raw`` against ``base`` and keep it only if it is an http(s) URL with a host.

    Tabs and newlines inside are dropped as browsers do (WHATWG URL), since CMSs wrap long URLs.
    """
    if not raw:
        return None
    url = _URL_CONTROL_RE.sub("", raw).strip()
    if decode:
        url = decode_entities(url)
    if not url:
        return None
    try:
        url = urljoin(base, url)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # e.g. "http://[::1" (bad IPv6 literal)
        return None
    return url


def never_raise(fallback: Callable[[Exception], R]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn any exception into ``fallback(exc)``: one malformed body must not stop a crawl.

    The parsers handle the failures they know about themselves; this is the net for the ones
    nobody foresaw, logged with the traceback so they can be turned into a test.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                logger.exception("%s failed unexpectedly", func.__qualname__)
                return fallback(exc)

        return wrapper

    return decorate


def dedupe_by_url(items: list[R], key: Callable[[R], str]) -> list[R]:
    """Keep the first item for each URL, in order."""
    seen: set[str] = set()
    out: list[R] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out
