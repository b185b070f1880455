"""Links of a listing (section or home) page, for outlets whose articles are found by following links."""

from __future__ import annotations

import logging
import re
from urllib.parse import urldefrag

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from crawler.discovery._common import absolute_url, never_raise
from crawler.discovery.entries import Link

logger = logging.getLogger(__name__)

_SPACES_RE = re.compile(r"\s+")


def _anchor_text(a: lxml.html.HtmlElement) -> str:
    """Visible text, else what a screen reader would say: card links often wrap only an image."""
    text = _SPACES_RE.sub(" ", " ".join(a.itertext())).strip()
    if text:
        return text
    for value in (a.get("title"), a.get("aria-label"), *(img.get("alt") for img in a.iter("img"))):
        if value and value.strip():
            return _SPACES_RE.sub(" ", value).strip()
    return ""


@never_raise(lambda exc: [])
def extract_links(body: bytes, url: str, content_type: str | None = None) -> list[Link]:
    """Every ``<a href>`` of an HTML page, absolute, fragment-free, deduplicated in order.

    Args:
        body: the page body as downloaded.
        url: the page URL (after redirects), the base for relative links unless ``<base href>``.
        content_type: the Content-Type header, whose charset wins over the page's ``<meta>``
            (as in browsers); Corriere, for one, serves iso-8859-1.

    Returns:
        Links to http(s) URLs only: ``javascript:``, ``mailto:``, ``tel:``, ``whatsapp:`` and other
        share links are dropped, and so are empty and fragment-only hrefs (the page itself).
        When a URL occurs twice the first position is kept, with the first non-empty text (an
        image link usually comes before the headline link to the same article). Never raises.
    """
    if not body or not body.strip():
        return []
    _, text = html_to_unicode(content_type, body)
    # Re-encoded as UTF-8 and parsed with that encoding: lxml refuses str input that carries an
    # XML declaration (XHTML pages), and an explicit encoding overrides the page's <meta>.
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    base = url
    for base_el in doc.iter("base"):
        href = base_el.get("href")
        if href and href.strip():
            base = absolute_url(href, url, decode=False) or url
            break  # only the first <base href> counts (HTML standard)

    links: dict[str, Link] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        resolved = absolute_url(href, base, decode=False)
        if resolved is None:
            continue
        link_url = urldefrag(resolved).url
        known = links.get(link_url)
        if known is None:
            links[link_url] = Link(link_url, _anchor_text(a))
        elif not known.text:
            known.text = _anchor_text(a)
    return list(links.values())
