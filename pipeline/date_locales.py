"""htmldate's free-text dates read in the page's own language, not in all 205 dateparser locales.

htmldate's extensive search (only for pages without a structured date, see pipeline/extract.py)
checks text for month names and parses it with dateparser. Both look at every locale dateparser
has: the first such page in a worker loads all 205 of them, with their compiled patterns, and the
worker keeps them for its life: 33 MB more resting in each worker on the throughput benchmark
(138 MB instead of 105 after 1,500 pages), a process's worth of memory across the pool.

Here htmldate's two lookups (``get_external_parser`` and ``month_words`` in
``htmldate.extractors``, both module-level and cached by htmldate) answer for the languages of
the page being read: its ``<html lang>`` plus Italian, the language of the outlets this archive is
for (and the one a template's wrong ``lang="en"`` most often hides), plus English, which markup and
CMS dates fall back to. A page that names no language dateparser knows is read in all of them, as
before. Should htmldate rename the two, nothing is replaced and every page is read in all locales.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

ALWAYS = ("it", "en")
"""Languages every page is read in besides its own."""

_LANG_RE = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_]|\s*$)")
_languages: ContextVar[tuple[str, ...] | None] = ContextVar("date_languages", default=None)


@cache
def known_languages() -> frozenset[str]:
    """The language codes dateparser has locales for."""
    from dateparser.data.languages_info import language_order

    return frozenset(language_order)


def page_languages(tree: HtmlElement) -> tuple[str, ...] | None:
    """The languages to read ``tree``'s dates in: its declared one and ALWAYS, or None for all."""
    root = tree.getroottree().getroot()
    # lxml's HTML parser keeps xml:lang as a plain attribute name; its XML parser as a namespaced one
    declared = root.get("lang") or root.get("xml:lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    match = _LANG_RE.match(declared)
    code = match.group(1).lower() if match else None
    if code is None or code not in known_languages():
        return None
    return tuple(dict.fromkeys((code, *ALWAYS)))


@contextmanager
def dates_in(languages: tuple[str, ...] | None) -> Iterator[None]:
    """htmldate reads dates in ``languages`` (None: in all) inside the block."""
    install()
    token = _languages.set(languages)
    try:
        yield
    finally:
        _languages.reset(token)


@cache
def install() -> bool:
    """Put the language-aware lookups in place of htmldate's, once per process; False if it cannot."""
    import htmldate.extractors as extractors

    needed = ("get_external_parser", "month_words", "_fold_month_name", "MONTH_KEYS", "WORD")
    missing = [name for name in needed if not hasattr(extractors, name)]
    if missing:
        logger.warning("htmldate has no %s: its dates are read in all dateparser locales", ", ".join(missing))
        return False
    original_parser, original_months = extractors.get_external_parser, extractors.month_words

    @cache
    def parser_for(languages: tuple[str, ...]) -> Any:
        from dateparser import DateDataParser  # type: ignore[attr-defined]

        # htmldate's own settings (strict parsing, past dates first...), its languages ours.
        return DateDataParser(languages=list(languages), settings=original_parser()._settings)

    @cache
    def months_for(languages: tuple[str, ...]) -> frozenset[str]:
        # htmldate's month_words() over these languages' locales alone.
        from dateparser.languages.loader import default_loader

        return frozenset(
            extractors._fold_month_name(word)
            for locale in default_loader.get_locales(languages=list(languages))
            for key in extractors.MONTH_KEYS
            for word in locale.info.get(key, [])
            if extractors.WORD.fullmatch(word)
        )

    def get_external_parser() -> Any:
        languages = _languages.get()
        return original_parser() if languages is None else parser_for(languages)

    def month_words() -> frozenset[str]:
        languages = _languages.get()
        return original_months() if languages is None else months_for(languages)

    extractors.get_external_parser, extractors.month_words = get_external_parser, month_words
    return True
