"""The ``Sitemap:`` lines of a robots.txt body."""

from __future__ import annotations

import logging
import re

from crawler.discovery._common import absolute_url, never_raise

logger = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 512 * 1024
"""Google reads only the first 500 KiB of a robots.txt; 512 KiB keeps a margin and bounds the
work on a huge or hostile body."""

_SITEMAP_RE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE)


@never_raise(lambda exc: [])
def parse_robots_sitemaps(body: bytes, url: str) -> list[str]:
    """Sitemap URLs declared in robots.txt, absolute, deduplicated, in order of appearance.

    Args:
        body: the robots.txt body; only the first MAX_ROBOTS_BYTES are read.
        url: the robots.txt URL, to resolve a relative sitemap path (invalid, but cheap to accept).

    Returns:
        The URLs; [] for an HTML page (sites answering /robots.txt with their home page or a 404
        page) or for garbage. Never raises.
    """
    truncated = len(body) > MAX_ROBOTS_BYTES
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<"):  # no robots.txt line starts with "<"; every HTML page does
        return []
    lines = text.splitlines()
    if truncated and lines and not text.endswith(("\n", "\r")):
        lines.pop()  # the cut fell inside the last line
    found: list[str] = []
    for line in lines:
        match = _SITEMAP_RE.match(line.split("#", 1)[0])
        if match:
            sitemap = absolute_url(match.group(1), url, decode=False)
            if sitemap and sitemap not in found:
                found.append(sitemap)
    return found
