"""Gianluca Di Marzio (gianlucadimarzio.com): the Sky transfer-market reporter's news site."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="dimarzio",
    name="Gianluca Di Marzio",
    homepage="https://www.gianlucadimarzio.com/",
    # Bare domain: feeds are seen with and without www.
    domains=("gianlucadimarzio.com",),
    # Seen-in-code; ?section=2 is the transfer-market feed (E58).
    feeds=(
        "https://gianlucadimarzio.com/feed/",
        "https://gianlucadimarzio.com/rss/",
        "https://www.gianlucadimarzio.com/rss/?section=2",
    ),
    # The listings a production bot follows (E56).
    listing_pages=(
        "https://www.gianlucadimarzio.com/",
        "https://www.gianlucadimarzio.com/calciomercato/",
    ),
    # No article URL in the facts; the "path ends -{5+ digits}" rule is seen in a bot (E56).
    # Constructed example: https://gianlucadimarzio.com/calciomercato/esempio-di-trattativa-123456
    article_url=r"^https?://(?:www\.)?gianlucadimarzio\.com/[^?#]+-\d{5,}/?(?:[?#].*)?$",
    language="it",
    notes=(
        "CMS: unknown. Paywall: free. Article detection by a trailing -{id} of 5+ digits is seen in a "
        "production bot (E56); the rest of the URL shape is unknown. No sitemap seen."
    ),
    unverified=("feeds", "listing_pages", "article_url"),
)
