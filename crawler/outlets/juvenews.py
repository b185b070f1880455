"""Juvenews (juvenews.eu): club news site of the Pianeta Milan network."""

from __future__ import annotations

from crawler.outlets.spec import OutletSpec

OUTLET = OutletSpec(
    key="juvenews",
    name="Juvenews",
    homepage="https://www.juvenews.eu/",
    domains=("www.juvenews.eu",),
    # Seen-in-code, unverified.
    feeds=("https://www.juvenews.eu/feed/",),
    # No juvenews.eu URL in the facts. Constructed example on the network pattern:
    # https://www.juvenews.eu/news/ultime-notizie/esempio-di-articolo-juventus/
    # Tightened from the facts: a last segment of digits only is pagination (/{section}/{sub}/2),
    # and a last segment /commenti is a comments page.
    article_url=r"^https?://www\.juvenews\.eu/[a-z0-9-]+/[a-z0-9-]+/(?!(?:\d+|commenti)/?(?:[?#]|$))[a-z0-9-]+/?(?:[?#].*)?$",
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
