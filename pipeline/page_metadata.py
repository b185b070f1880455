"""trafilatura's page metadata, each field worked out only when it is asked for.

``bare_extraction(with_metadata=True)`` computes every field up front: on the throughput benchmark's
pages that was 11.5 ms of a 48.6 ms extraction (categories and tags 4.2 ms, the author search
3.5 ms, the license 1.6 ms, the date 0.8 ms). pipeline/extract.py reads JSON-LD and meta tags
first and takes trafilatura's fields only as fallbacks, so on most pages most of them were never
used, and the license never is. Here each field runs the same trafilatura function, in the same
order of preference and with the same clean-up as ``trafilatura.metadata.extract_metadata``, but
only on first access; tests/test_page_metadata.py checks that every field equals trafilatura's own
on the fixture and corpus pages.

The tree must be the one trafilatura extracted the text from (its functions only read it or work
on copies), so that both see the same page.
"""

from __future__ import annotations

import logging
from functools import cached_property
from html import unescape
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing

from .date_locales import dates_in, page_languages

logger = logging.getLogger(__name__)

# Document.clean_and_trim's limit on any string field.
_MAX_CHARS = 10000


def _clean(value: str | None) -> str | None:
    """What trafilatura's ``Document.clean_and_trim`` makes of a string field."""
    if not isinstance(value, str):
        return value
    if len(value) > _MAX_CHARS:
        value = value[: _MAX_CHARS - 1] + "…"
    return line_processing(unescape(value))


class PageMetadata:
    """Title, author, date, site name, categories, tags, description and image, computed lazily."""

    def __init__(self, tree: HtmlElement, url: str | None, date_params: dict[str, Any]) -> None:
        self.tree, self.default_url, self.date_params = tree, url, date_params

    @cached_property
    def _meta(self) -> Document:
        """Meta tags and (when left in the page) JSON-LD: cheap, and the first choice of every field."""
        meta = examine_meta(self.tree)
        if meta.author and " " not in meta.author:
            meta.author = None
        try:
            meta = extract_meta_json(self.tree, meta)
        except Exception as err:  # trafilatura guards its own JSON-LD reader the same way
            logger.debug("trafilatura JSON metadata failed: %s", err)
        return meta

    @cached_property
    def _raw_url(self) -> str | None:
        """The page's own URL as trafilatura finds it (canonical link, meta), before clean-up."""
        return self._meta.url or extract_url(self.tree, self.default_url)

    @cached_property
    def title(self) -> str | None:
        return _clean(self._meta.title or extract_title(self.tree))

    @cached_property
    def author(self) -> str | None:
        return _clean(self._meta.author or extract_author(self.tree))

    @cached_property
    def url(self) -> str | None:
        return _clean(self._raw_url)

    @cached_property
    def date(self) -> str | None:
        """htmldate's answer, with the caller's settings (extensive search or not), free-text dates
        read in the page's language (pipeline/date_locales.py)."""
        with dates_in(page_languages(self.tree)):
            return _clean(find_date(self.tree, **{**self.date_params, "url": self._raw_url}))

    @cached_property
    def sitename(self) -> str | None:
        name = self._meta.sitename or extract_sitename(self.tree)
        if name:
            name = name.lstrip("@")
            if name and "." not in name and not name[0].isupper():
                name = name.title()
        else:
            match = META_URL.match(self._raw_url) if self._raw_url else None
            name = match[1] if match else None
        return _clean(name)

    @cached_property
    def categories(self) -> list[str]:
        return self._meta.categories or extract_catstags("category", self.tree)

    @cached_property
    def tags(self) -> list[str]:
        return self._meta.tags or extract_catstags("tag", self.tree)

    @cached_property
    def description(self) -> str | None:
        return _clean(self._meta.description)

    @cached_property
    def image(self) -> str | None:
        return _clean(self._meta.image)
