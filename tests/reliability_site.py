"""Misbehaving local web servers for the reliability tests: drips, resets, 429s, bombs, loops.

``FixtureSites`` serves recorded files politely; the reliability tests need servers that answer
badly on purpose, and a record of when each request arrived (to measure a Retry-After wait or
prove that a URL was never asked). Everything listens on 127.0.0.x and stops with the test.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from tests.ops_site import article_text

# How long one drip answer may last at most: far past any DOWNLOAD_TIMEOUT the tests set, short
# enough that a handler thread never outlives its test by much.
DRIP_MAX_SECONDS = 8.0


@dataclass(frozen=True)
class Hit:
    """One request a bad site received."""

    ip: str
    path: str
    at: float
    """``time.monotonic()`` at arrival."""


Behaviour = Callable[["_Handler"], None]
"""Answers one request; gets the handler (its ``wfile``, ``connection`` and ``send_*`` methods)."""


def static(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200,
           headers: dict[str, str] | None = None) -> Behaviour:  # fmt: skip
    """A fixed answer."""
    data = body.encode("utf-8") if isinstance(body, str) else body

    def answer(h: _Handler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return answer


def redirect(location: str, status: int = 301) -> Behaviour:
    return static(b"", status=status, headers={"Location": location})


def drip(interval: float = 1.0) -> Behaviour:
    """Headers at once, then one byte of the promised body every ``interval`` seconds."""

    def answer(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        deadline = time.monotonic() + DRIP_MAX_SECONDS
        try:
            while time.monotonic() < deadline:
                h.wfile.write(b"<")
                h.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass  # the crawler gave up and closed: what we wanted
        h.close_connection = True

    return answer


def reset() -> Behaviour:
    """Read the request, then reset the connection (RST, not a clean close) without answering."""

    def answer(h: _Handler) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    return answer


def first_then(first: Behaviour, then: Behaviour, times: int = 1) -> Behaviour:
    """``first`` for the first ``times`` requests of the path, ``then`` afterwards."""
    count = [0]
    lock = threading.Lock()

    def answer(h: _Handler) -> None:
        with lock:
            count[0] += 1
            n = count[0]
        (first if n <= times else then)(h)

    return answer


def gzip_bomb(decompressed_mb: int = 64) -> Behaviour:
    """A small gzip body (Content-Encoding: gzip) that inflates to ``decompressed_mb`` MB of zeros."""
    data = gzip.compress(b"\0" * (decompressed_mb << 20), compresslevel=9, mtime=0)

    def answer(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return answer


def unsized(body: bytes | str, chunk: int = 1 << 20) -> Behaviour:
    """A body with no Content-Length, sent in chunks and ended by closing: the size is only known
    by reading it, so a size limit must cut it on the way."""
    data = body.encode("utf-8") if isinstance(body, str) else body

    def answer(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            for start in range(0, len(data), chunk):
                h.wfile.write(data[start : start + chunk])
        except OSError:
            pass  # the crawler stopped reading at its limit
        h.close_connection = True

    return answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: BadSites

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a crawler hanging up on a drip or a bomb is the point, not a server error


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 10.0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.site
        ip = self.server.server_address[0]
        site.record(Hit(ip, self.path, time.monotonic()))
        behaviour = site.routes.get((ip, self.path.split("?", 1)[0]))
        if behaviour is None:
            static(b"<html><body>404</body></html>", status=404)(self)
        else:
            behaviour(self)


class BadSites:
    """One port on several loopback IPs (one "host" each), answering each path with a behaviour."""

    def __init__(self, ips: Sequence[str] = ("127.0.0.1",)) -> None:
        self.ips = list(ips)
        self.routes: dict[tuple[str, str], Behaviour] = {}
        self._hits: list[Hit] = []
        self._lock = threading.Lock()
        self._servers: list[_Server] = []
        self.port = 0

    def route(self, ip: str, path: str, behaviour: Behaviour) -> None:
        self.routes[(ip, path)] = behaviour

    def base(self, ip: str) -> str:
        return f"http://{ip}:{self.port}"

    def record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    def hits(self, ip: str | None = None, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self._hits if (ip is None or h.ip == ip) and (path is None or h.path == path)]

    @contextmanager
    def serving(self) -> Iterator[BadSites]:
        for attempt in range(20):  # the first IP picks a free port; the others may find it taken
            try:
                self._bind(attempt)
                break
            except OSError:
                self._close()
        else:
            raise RuntimeError(f"no common free port on {self.ips}")
        threads = []
        for server in self._servers:
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            t.start()
            threads.append(t)
        try:
            yield self
        finally:
            for server in self._servers:
                server.shutdown()
            self._close()
            for t in threads:
                t.join(timeout=2)

    def _bind(self, attempt: int) -> None:
        first = _Server((self.ips[0], 0), _Handler)
        first.site = self
        self._servers = [first]
        self.port = first.server_address[1]
        for ip in self.ips[1:]:
            server = _Server((ip, self.port), _Handler)
            server.site = self
            self._servers.append(server)

    def _close(self) -> None:
        for server in self._servers:
            server.server_close()
        self._servers = []


# -- DNS ---------------------------------------------------------------------------------------
class HostsResolver(CachingThreadedResolver):
    """Scrapy's default resolver, with names from ``SPORTNEWS_TEST_HOSTS`` (JSON ``{name: ip}``) answered
    first: an /etc/hosts for one crawl, so a test outlet can have public-looking host names.

    Set as ``TWISTED_DNS_RESOLVER = "tests.reliability_site.HostsResolver"``.
    """

    hosts: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> HostsResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.hosts = json.loads(crawler.settings.get("SPORTNEWS_TEST_HOSTS") or "{}")
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name in self.hosts:
            return defer.succeed(self.hosts[name])
        return super().getHostByName(name, timeout)


# -- pages -------------------------------------------------------------------------------------
def article_html(n: int, title: str, head: str = "", body: str = "", charset: str = "utf-8") -> str:
    """A plain article page whose text (``tests.ops_site.article_text``) no other article shares."""
    paragraphs = "".join(f"<p>{p}</p>" for p in article_text(n))
    return (
        f'<!DOCTYPE html><html lang="it"><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
        f"<body><main><article><h1>{title}</h1>{paragraphs}{body}</article></main></body></html>"
    )


def jsonld(*objects: dict[str, Any]) -> str:
    data = objects[0] if len(objects) == 1 else list(objects)
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def rss(links: Sequence[tuple[str, str]]) -> str:
    """An RSS 2.0 feed of (url, RFC 822 date) items."""
    items = "".join(f"<item><title>t</title><link>{u}</link><pubDate>{d}</pubDate></item>" for u, d in links)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'


def outlet_toml(key: str, domains: Sequence[str], article_url: str, feeds: Sequence[str] = (),
                sitemaps: Sequence[str] = (), robots: bool = False) -> str:  # fmt: skip
    def strings(values: Sequence[str]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    return (
        f"[[outlet]]\nkey = \"{key}\"\ndomains = {strings(domains)}\narticle_url = '{article_url}'\n"
        f"feeds = {strings(feeds)}\nsitemaps = {strings(sitemaps)}\nrobots = {'true' if robots else 'false'}\n\n"
    )


# -- running the CLI -----------------------------------------------------------------------------
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "SPORTNEWS_EXTRACT_WORKERS=1",
        "-s", "SPORTNEWS_PROGRESS=False", "-s", "SPORTNEWS_NEAR_DUP_WAIT_SECONDS=0.2"]  # fmt: skip
"""Settings every test crawl uses: no politeness delays against our own loopback servers, and the
near-duplicate stage passes articles on after 0.2 s instead of waiting up to 5 s for a full batch."""

ROOT = Path(__file__).resolve().parent.parent


def sportnews_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def cli_env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}


def sportnews(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``sportnews`` in a subprocess (Scrapy's reactor runs once per process)."""
    return subprocess.run(sportnews_argv(*args), capture_output=True, text=True, timeout=timeout, env=cli_env(),
                          cwd=ROOT)  # fmt: skip
