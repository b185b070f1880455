"""Pianeta Milan (pianetamilan.it): club news site of the Pianeta Milan network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="pianetamilan",
    name="Pianeta Milan",
    homepage="https://www.pianetamilan.it/",
    domains=("www.pianetamilan.it",),
    # Seen-in-code, unverified.
    feeds=("https://www.pianetamilan.it/feed",),
    # Matches e.g. (seen):
    # https://www.pianetamilan.it/calciomercato/news-calciomercato/gila-il-colpo-in-difesa-tare-ci-pensa-sempre-il-punto-sul-calciomercato-del-milan-07-03-2026/
    # Tightened from the facts: a last segment of digits only is pagination (/{section}/{sub}/2),
    # and a last segment /commenti is a comments page.
    article_url=r"^https?://www\.pianetamilan\.it/[a-z0-9-]+/[a-z0-9-]+/(?!(?:\d+|commenti)/?(?:[?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "Pianeta Milan network (facts id pianetamilan_net). CMS: shared network CMS (seen: the same "
        "/commenti URL pattern on pianetamilan.it, forzaroma.info, derbyderbyderby.it). Paywall: free. "
        "Articles are /{section}/{sub}/{slug}/ (seen on pianetamilan.it and fcinter1908.it); /commenti "
        "pages have one more segment and do not match. Bodies end '© RIPRODUZIONE RISERVATA' (seen). "
        "zazoom.it re-posts this network: it is an aggregator, not an outlet. No sitemap seen. "
        "Slugs often end -DD-MM-YYYY, a cheap date hint (seen)."
    ),
    unverified=("feeds", "article_url"),
)
