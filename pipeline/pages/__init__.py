"""Per-outlet page classes: what one outlet's pages need beyond the generic extraction, versioned by date.

Same spider, different sites (web-poet), versioned parsers (fundus): a page class holds the
selectors of one outlet's layout, compiled once as class attributes, and one small method per field
it fixes. Each method returns None when it has nothing to say, and the generic value stands; JSON-LD
and meta come first in the generic path, so a page class is written only for what that path gets
wrong on the outlet, shown by a recorded fixture (tests/fixtures/outlet_pages/<outlet>/<version>/).

A redesign adds a class with a new ``VALID_UNTIL`` and keeps the old one: the class used for a page
is the one of the page's outlet (by key, else by domain) with the earliest ``VALID_UNTIL`` not
before the day the page was fetched, so re-extracting old pages (``sportnews reprocess``) reads them
with the layout they had. Classes live in this package (pipeline must not import crawler); each
names its outlet by the registry key (``OUTLET``) and its hosts (``DOMAINS``), and a test checks
both against the outlet registry.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import pkgutil
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from pipeline.dates import ROME, DateCandidate

if TYPE_CHECKING:
    from pipeline.extract import Extraction, PageSignals

logger = logging.getLogger(__name__)

FIELDS = ("title", "authors", "published", "section", "page_kind", "text")
"""Fields a page class may give, each through the method of that name."""


class PageClassError(ValueError):
    """Two page classes claim the same outlet and version, or a class is malformed."""


class OutletPage:
    """Base of the page classes: one outlet, one layout, valid until a date.

    Subclasses set OUTLET, DOMAINS, VALID_UNTIL, optionally DROP (XPaths of elements that are never
    article text, removed before trafilatura reads the page) and override the field methods they
    need. Methods receive nothing: ``self.tree``, ``self.signals`` and ``self.url`` are the page.
    """

    OUTLET: ClassVar[str] = ""
    """Registry key of the outlet (crawler/outlets/<key>.py)."""
    DOMAINS: ClassVar[tuple[str, ...]] = ()
    """Hosts whose pages the class reads when the outlet key is not known (a saved page)."""
    VALID_UNTIL: ClassVar[date] = date.max
    """Last day of the layout; date.max for the current one."""
    DROP: ClassVar[tuple[XPath, ...]] = ()
    """Elements removed from the tree before the generic extraction (widgets, teasers)."""

    def __init__(self, tree: HtmlElement, signals: PageSignals, url: str) -> None:
        self.tree = tree
        self.signals = signals
        self.url = url

    @classmethod
    def version(cls) -> str:
        """The fixture folder name of this version: "current" or the VALID_UNTIL date."""
        return "current" if date.max == cls.VALID_UNTIL else cls.VALID_UNTIL.isoformat()

    def prune(self) -> int:
        """Remove the DROP elements; returns how many went."""
        n = 0
        for xp in self.DROP:
            for el in xp(self.tree):
                el.drop_tree()
                n += 1
        return n

    # -- one method per field; None: the generic value stands ---------------------------------------
    def title(self) -> str | None:
        return None

    def authors(self) -> list[str] | None:
        return None

    def published(self) -> str | None:
        """A date string as written on the page (any form pipeline.dates parses)."""
        return None

    def section(self) -> str | None:
        return None

    def page_kind(self) -> str | None:
        return None

    def text(self) -> str | None:
        """The whole main text, one paragraph a line."""
        return None


_REGISTRY: dict[str, list[type[OutletPage]]] = {}
_LOADED = False


def register(cls: type[OutletPage]) -> type[OutletPage]:
    """Class decorator: add a page class; refuses a second class for the same outlet and version."""
    if not cls.OUTLET:
        raise PageClassError(f"{cls.__name__} has no OUTLET")
    versions = _REGISTRY.setdefault(cls.OUTLET, [])
    if any(v.VALID_UNTIL == cls.VALID_UNTIL for v in versions):
        raise PageClassError(f"{cls.OUTLET} already has a page class valid until {cls.VALID_UNTIL}: {cls.__name__}")
    versions.append(cls)
    versions.sort(key=lambda c: c.VALID_UNTIL)
    return cls


def _load() -> None:
    """Import every module of this package once, so their classes register."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def registry() -> dict[str, list[type[OutletPage]]]:
    """{outlet key: its page classes, oldest layout first}."""
    _load()
    return {k: list(v) for k, v in _REGISTRY.items()}


def page_class(outlet: str | None, url: str, when: datetime | date) -> type[OutletPage] | None:
    """The page class for a page of ``outlet`` (or, unknown outlet, of ``url``'s host) fetched ``when``."""
    _load()
    versions = _REGISTRY.get(outlet or "")
    if versions is None:
        host = (urlsplit(url).hostname or "").lower()
        versions = next(
            (v for v in _REGISTRY.values() if any(host == d or host.endswith("." + d) for d in v[0].DOMAINS)), None
        )
    if not versions:
        return None
    day = when.astimezone(ROME).date() if isinstance(when, datetime) else when
    return next((v for v in versions if day <= v.VALID_UNTIL), None)


def apply(page: OutletPage, ex: Extraction) -> Extraction:
    """The extraction with the fields the page class gives replaced; one failing method fails alone."""
    changes: dict[str, Any] = {}
    for name in FIELDS:
        try:
            value = getattr(page, name)()
        except Exception:  # a page class bug must cost one field, never the page
            logger.exception("%s.%s failed on %s", type(page).__name__, name, page.url)
            continue
        if value is None:
            continue
        if name == "published":
            changes["published"] = [DateCandidate("page", value), *ex.published]
        else:
            changes[name] = value
    return dataclasses.replace(ex, **changes) if changes else ex
