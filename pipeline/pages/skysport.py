"""Sky Sport (sport.sky.it): live blogs that the page itself labels only with their markup."""

from __future__ import annotations

from datetime import date

from lxml.etree import XPath

from pipeline.pages import OutletPage, register


def _line(el: object) -> str:
    return " ".join(el.text_content().split())  # type: ignore[attr-defined]


@register
class SkySportPage(OutletPage):
    """The current layout (2026-): c-* BEM classes.

    Sky's daily calciomercato live and match lives are ``NewsArticle`` in JSON-LD and their URLs
    carry no "live" (``/calciomercato/2026/03/04/calciomercato-news-trattative-oggi-4-marzo``);
    only the feed's ``<category>liveblog`` says so (outlets.md, E2). The body is a list of entries,
    each with its time in a ``<time>`` that trafilatura drops, so the generic text loses when each
    update was posted.
    """

    OUTLET = "skysport"
    DOMAINS = ("sport.sky.it",)
    ENTRIES = XPath("//div[contains(concat(' ', normalize-space(@class), ' '), ' c-liveblog__entry ')]")

    def page_kind(self) -> str | None:
        return "live" if self.ENTRIES(self.tree) else None

    def text(self) -> str | None:
        entries = [_line(e) for e in self.ENTRIES(self.tree)]
        return "\n".join(e for e in entries if e) or None


@register
class SkySportPage2025(SkySportPage):
    """The layout until the end of 2025: the live timeline was a list (``li.live-timeline__item``)."""

    VALID_UNTIL = date(2025, 12, 31)
    ENTRIES = XPath("//li[contains(concat(' ', normalize-space(@class), ' '), ' live-timeline__item ')]")
