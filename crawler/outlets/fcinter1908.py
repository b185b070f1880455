"""FC Inter 1908 (fcinter1908.it): club news site of the Pianeta Milan network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="fcinter1908",
    name="FC Inter 1908",
    homepage="https://www.fcinter1908.it/",
    domains=("www.fcinter1908.it",),
    # Seen-in-code, unverified.
    feeds=("https://www.fcinter1908.it/feed",),
    # Matches e.g. (seen):
    # https://www.fcinter1908.it/calciomercato/mercato-squadre-avversarie/allegri-panchina-realmadrid-cosa-risulta-fabrizio-romano/
    # Tightened from the facts: a last segment of digits only is pagination (/{section}/{sub}/2),
    # and a last segment /commenti is a comments page.
    article_url=r"^https?://www\.fcinter1908\.it/[a-z0-9-]+/[a-z0-9-]+/(?!(?:\d+|commenti)/?(?:[?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
    language="it",
    notes=(
        "Pianeta Milan network (facts id pianetamilan_net). CMS: shared network CMS (seen: the same "
        "/commenti URL pattern on pianetamilan.it, forzaroma.info, derbyderbyderby.it). Paywall: free. "
        "Articles are /{section}/{sub}/{slug}/ (seen on pianetamilan.it and fcinter1908.it); /commenti "
        "pages have one more segment and do not match. Bodies end '© RIPRODUZIONE RISERVATA' (seen). "
        "zazoom.it re-posts this network: it is an aggregator, not an outlet. No sitemap seen."
    ),
    unverified=("feeds", "article_url"),
)
