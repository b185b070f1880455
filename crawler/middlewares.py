"""Downloader middlewares: retries that back off, as a polite crawler's should."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.discovery.robots import MAX_ROBOTS_BYTES
from crawler.outlets.spec import OutletSpec, host_of, split_domain

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP date); None when absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but a retry waits ``base * 2**attempt`` seconds, or what the
    server's Retry-After asks (429, 503), capped at ``SPORTNEWS_RETRY_BACKOFF_MAX``.

    Scrapy retries at once by default, which hammers an outlet that is already struggling. The
    wait happens in a coroutine, so other downloads go on meanwhile.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("SPORTNEWS_RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("SPORTNEWS_RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        delay = self.backoff_base * (2**attempt)
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                delay = asked
        return min(max(delay, 0.0), self.backoff_max)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        if delay > 0:
            logger.debug("retrying %s in %.1fs (HTTP %s)", request.url, delay, response.status)
            await asyncio.sleep(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        delay = self._delay(request, None)
        if delay > 0:
            await asyncio.sleep(delay)
        return retry


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings ("10.0.0.0/8") as networks; a bad one raises ValueError naming it."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"SPORTNEWS_PRIVATE_NETWORKS: {value!r} is not a network ({exc})") from None
    return tuple(out)


def is_private(address: IPAddress, networks: tuple[IPNetwork, ...] = ()) -> bool:
    """True for an address inside ``networks``, or, when none are given, for any address that is not
    globally reachable (loopback, RFC 1918, link-local, carrier-grade NAT, unique local, reserved)."""
    if networks:
        return any(address in net for net in networks)
    return not address.is_global


class OutletBoundsMiddleware:
    """Every request stays on its outlet: on the outlet's hosts, and off private networks.

    The spider checks each URL it discovers, but some requests never pass through it: Scrapy's
    RedirectMiddleware follows the redirects of feeds, sitemaps and robots.txt on its own. This
    check sits in the downloader, where every request passes, redirects included:

    - a request off its outlet's domains is refused (``IgnoreRequest("offsite: ...")``);
    - for an outlet whose own domains are public, a request whose host resolves to a private or
      loopback address is refused (``IgnoreRequest("private address: ...")``): a hostile or
      hijacked feed, or a DNS record, must not turn the crawler against the network it runs in.
      Outlets whose own domains are private (the local fixture outlets on 127.0.0.x, an intranet
      mirror) are left alone.

    The address checked is the one the reactor's resolver answers. Scrapy's default resolver
    (CachingThreadedResolver) caches it, and the download then connects to that cached answer, so
    a DNS record that changes between the check and the connection does not get through.
    ``SPORTNEWS_PRIVATE_NETWORKS`` (CIDRs) replaces "every address that is not global" when set.
    """

    def __init__(self, networks: tuple[IPNetwork, ...] = (), crawler: Crawler | None = None) -> None:
        self.networks = networks
        self.crawler = crawler
        self._outlet_private: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutletBoundsMiddleware:
        if not crawler.settings.getbool("SPORTNEWS_OUTLET_BOUNDS", True):
            raise NotConfigured
        return cls(parse_networks(crawler.settings.getlist("SPORTNEWS_PRIVATE_NETWORKS")), crawler)

    async def resolve(self, host: str) -> IPAddress:
        """The address the download will connect to; raises the resolver's own error when none."""
        try:
            return ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            pass
        from twisted.internet import reactor

        answer = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
        return ipaddress.ip_address(answer)

    async def outlet_is_private(self, outlet: OutletSpec) -> bool:
        """True when one of the outlet's own domains is ``localhost`` or a private address."""
        if outlet.key not in self._outlet_private:
            private = False
            for domain in outlet.domains:
                host, _ = split_domain(domain)
                if host == "localhost" or host.endswith(".localhost"):
                    private = True
                    break
                try:
                    address = await self.resolve(host)
                except Exception:  # a domain that does not resolve says nothing either way
                    continue
                if is_private(address, self.networks):
                    private = True
                    break
            self._outlet_private[outlet.key] = private
        return self._outlet_private[outlet.key]

    def outlet_of(self, request: Request, outlets: dict[str, OutletSpec]) -> OutletSpec | None:
        key = request.meta.get("outlet")
        if key in outlets:
            return outlets[key]
        # Scrapy's own requests (robots.txt, and its redirects) carry no outlet: find it by host.
        return next((o for o in outlets.values() if o.owns(request.url)), None)

    async def process_request(self, request: Request) -> None:
        spider = self.crawler.spider if self.crawler is not None else None
        outlets: dict[str, OutletSpec] | None = getattr(spider, "outlets", None)
        if not outlets or request.url.startswith("data:"):
            return None
        outlet = self.outlet_of(request, outlets)
        if outlet is None or not outlet.owns(request.url):
            name = outlet.key if outlet else "any outlet"
            raise IgnoreRequest(f"offsite: {request.url} is not on the domains of {name}")
        if await self.outlet_is_private(outlet):
            return None
        host = host_of(request.url)
        address = await self.resolve(host)  # a DNS failure propagates: the download would fail alike
        if is_private(address, self.networks):
            logger.warning("%s: refused %s: %s is a private address", outlet.key, request.url, address)
            raise IgnoreRequest(f"private address: {host} resolves to {address}, and {outlet.key} is a public outlet")
        return None


class CappedRobotParser(ProtegoRobotParser):
    """Scrapy's Protego parser on the first ``MAX_ROBOTS_BYTES`` of a robots.txt only.

    Google ignores what follows the first 500 KiB. Without a cap a 5 MB robots.txt of wildcard
    rules took 8 s to parse and 0.3 s per URL checked, on the reactor thread that every outlet
    shares (measured with Protego 0.5, 250,000 ``Disallow: /*x*$`` lines).
    """

    def __init__(self, robotstxt_body: bytes, spider: Any) -> None:
        body = robotstxt_body
        if len(body) > MAX_ROBOTS_BYTES:
            body = body[:MAX_ROBOTS_BYTES]
            body = body[: body.rfind(b"\n") + 1]  # the cut fell inside a line: drop that line
            logger.info("robots.txt of %d bytes: only the first %d read", len(robotstxt_body), len(body))
        super().__init__(body, spider)
