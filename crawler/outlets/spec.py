"""The outlet spec: everything the generic spider needs to know about one outlet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def host_of(url: str) -> str:
    """The lower-case host of a URL, without port or trailing dot ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def port_of(url: str) -> int | None:
    """The explicit port of a URL, None when it has none or it is malformed."""
    try:
        return urlsplit(url).port
    except ValueError:
        return None


def split_domain(domain: str) -> tuple[str, int | None]:
    """``"example.it"`` -> ("example.it", None); ``"127.0.0.1:8080"`` -> ("127.0.0.1", 8080)."""
    host, sep, port = domain.rpartition(":")
    if sep and port.isdigit() and host and not host.endswith("]"):
        return host.lower(), int(port)
    return domain.lower(), None


@dataclass(frozen=True)
class OutletSpec:
    """One outlet: where its articles are announced and how its article URLs look.

    Built-in outlets live one per module in ``crawler/outlets/``; users add more through a TOML
    file with the same field names (see README.md, "Adding outlets").
    """

    key: str
    """snake_case identifier, used for the module, the spider argument and the ``outlet`` column."""
    name: str
    """Human name, e.g. "La Gazzetta dello Sport"."""
    domains: tuple[str, ...]
    """Hosts the outlet's articles live on. ``gazzetta.it`` also covers ``www.gazzetta.it``;
    ``host:port`` limits a host to one port (local mirrors). Nothing outside these hosts is ever
    fetched for this outlet."""
    feeds: tuple[str, ...] = ()
    """RSS 2.0 / Atom feed URLs."""
    sitemaps: tuple[str, ...] = ()
    """Sitemap, sitemap index or Google News sitemap URLs (plain or gzipped)."""
    robots: bool = False
    """Also read the ``Sitemap:`` lines of each domain's /robots.txt."""
    listing_pages: tuple[str, ...] = ()
    """Section or home pages whose links to articles are followed (one level deep)."""
    article_url: str = ""
    """Regex (``re.search``) that tells article URLs from every other page of the outlet.
    Empty means every same-domain URL found in a feed or sitemap counts as an article."""
    language: str = "it"
    """ISO 639-1 code of the outlet's usual language (a hint; each article is detected)."""
    languages: tuple[str, ...] = ()
    """When not empty, only articles detected in these languages are stored; others are rejected
    with reason ``language``."""
    homepage: str = ""
    """The outlet's home page, for people reading the registry."""
    notes: str = ""
    """Free text: CMS, paywall, and which facts were not verified against the live site."""
    unverified: tuple[str, ...] = field(default=())
    """Facts of this spec that nobody checked live (e.g. "feeds", "article_url")."""

    def __post_init__(self) -> None:
        if not KEY_RE.match(self.key):
            raise ValueError(f"outlet key {self.key!r} must be snake_case: lower-case letters, digits, '_'")
        if not self.domains:
            raise ValueError(f"outlet {self.key!r} needs at least one domain")
        self.article_re  # compile now so a bad regex fails at load, not mid-crawl  # noqa: B018

    @cached_property
    def article_re(self) -> re.Pattern[str] | None:
        return re.compile(self.article_url) if self.article_url else None

    @property
    def start_urls(self) -> tuple[str, ...]:
        """Every URL the spider starts from, for reporting."""
        return self.feeds + self.sitemaps + self.listing_pages

    def owns(self, url: str) -> bool:
        """True when the URL is on one of the outlet's hosts (a subdomain of a listed domain counts)."""
        host = host_of(url)
        if not host:
            return False
        for domain in self.domains:
            d, port = split_domain(domain)
            if (host == d or host.endswith("." + d)) and (port is None or port == port_of(url)):
                return True
        return False

    def is_article(self, url: str) -> bool:
        """True when the URL is on the outlet's hosts and matches its article pattern."""
        if not self.owns(url):
            return False
        return self.article_re is None or self.article_re.search(url) is not None

    def robots_urls(self) -> tuple[str, ...]:
        """The /robots.txt of each host the outlet's own URLs name, else of each domain.

        A domain with no URL to take the scheme from gets ``https://``; the spider falls back to
        ``http://`` when that cannot connect (see ``http_fallback``).
        """
        if not self.robots:
            return ()
        seen: dict[str, None] = {}
        for url in (self.homepage, *self.start_urls):
            parts = urlsplit(url)
            if parts.scheme and parts.netloc and self.owns(url):
                seen[f"{parts.scheme}://{parts.netloc}/robots.txt"] = None
        if not seen:
            for domain in self.domains:
                host, port = split_domain(domain)
                scheme = "https" if port in (None, 443) else "http"
                seen[f"{scheme}://{host}{f':{port}' if port not in (None, 80, 443) else ''}/robots.txt"] = None
        return tuple(seen)


def http_fallback(url: str) -> str | None:
    """The ``http://`` form of an ``https://`` URL with no explicit port, for hosts without TLS."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.port is None:
        return parts._replace(scheme="http").geturl()
    return None
