"""Discovery parsers: feed, sitemap, robots.txt and listing-page bodies to URLs (no Scrapy here)."""

from __future__ import annotations

from crawler.discovery.dates import ROME, parse_rfc822, parse_w3c_date, to_iso
from crawler.discovery.entries import Entry, Link
from crawler.discovery.feeds import FeedResult, parse_feed
from crawler.discovery.links import extract_links
from crawler.discovery.robots import parse_robots_sitemaps
from crawler.discovery.sitemaps import MAX_DECOMPRESSED, SitemapResult, parse_sitemap

__all__ = [
    "MAX_DECOMPRESSED",
    "ROME",
    "Entry",
    "FeedResult",
    "Link",
    "SitemapResult",
    "extract_links",
    "parse_feed",
    "parse_rfc822",
    "parse_robots_sitemaps",
    "parse_sitemap",
    "parse_w3c_date",
    "to_iso",
]
