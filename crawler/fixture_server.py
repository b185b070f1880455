"""Serve recorded fixture outlets on loopback, one IP per outlet, for the tests and the offline demo."""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")

# Outlets get 127.0.0.31, .32, ... in key order. The external contract mirror uses .21-.23, so the
# two can run side by side; 31 + 200 outlets still stays inside 127.0.0.0/24.
FIRST_HOST = 31
MAX_OUTLETS = 200
# Seconds an idle or slow client may hold a handler thread: keeps a stuck crawler from pinning
# threads forever. Far above any local response time.
HANDLER_TIMEOUT = 10.0
# How often serve_forever() checks for shutdown; lower makes stop() return sooner.
POLL_INTERVAL = 0.05

TOKEN_RE = re.compile(r"\{\{(BASE|AGO):([^{}]*)\}\}")
TOKEN_RE_BYTES = re.compile(rb"\{\{(BASE|AGO):([^{}]*)\}\}")

_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_IT_DAYS = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
_IT_MONTHS = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")

# Content types served byte for byte, never searched for tokens.
_BINARY_TYPES = (
    "image/",
    "audio/",
    "video/",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
)

NOT_FOUND_BODY = (
    b'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>Pagina non trovata</title></head>'
    b"<body><h1>404 - Pagina non trovata</h1><p>La pagina richiesta non esiste.</p></body></html>"
)


def _rfc822(dt: datetime, days: tuple[str, ...], months: tuple[str, ...], gmt: bool = False) -> str:
    """RFC 822 by hand: strftime's %a/%b follow the process locale, feeds must not."""
    if gmt:
        dt = dt.astimezone(ZoneInfo("UTC"))
    zone = "GMT" if gmt else dt.strftime("%z")
    return (
        f"{days[dt.weekday()]}, {dt.day:02d} {months[dt.month - 1]} {dt.year} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {zone}"
    )


DATE_FORMATS: dict[str, Callable[[datetime], str]] = {
    "rfc822": lambda dt: _rfc822(dt, _EN_DAYS, _EN_MONTHS),
    "rfc822-it": lambda dt: _rfc822(dt, _IT_DAYS, _IT_MONTHS),
    "rfc822-gmt": lambda dt: _rfc822(dt, _EN_DAYS, _EN_MONTHS, gmt=True),
    "rfc822-it-gmt": lambda dt: _rfc822(dt, _IT_DAYS, _IT_MONTHS, gmt=True),  # Sky Sport's own form
    "iso": lambda dt: dt.isoformat(timespec="seconds"),
    "iso-z": lambda dt: dt.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "date": lambda dt: dt.strftime("%Y-%m-%d"),
}
"""``{{AGO:<hours>:<fmt>}}`` formats; times are Europe/Rome unless the format says GMT/Z."""


@dataclass(frozen=True)
class Hit:
    """One request an outlet answered, kept so tests can assert what the crawler fetched (and didn't)."""

    key: str
    """Outlet key whose host received the request."""
    path: str
    """Request path with its query string, exactly as sent."""
    status: int
    """HTTP status answered."""
    at: float
    """``time.monotonic()`` when the request arrived."""
    method: str = "GET"
    """GET or HEAD."""


@dataclass(frozen=True)
class Route:
    """What one path of one outlet answers; the body is kept as a template until served."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    template: bool
    """True when tokens are substituted in the body (text bodies, and gzip routes before compressing)."""
    gzip: bool
    """Compress after substitution, so gzipped sitemaps still carry fresh dates."""


def _is_binary(content_type: str, file_name: str) -> bool:
    return file_name.endswith(".gz") or content_type.lower().startswith(_BINARY_TYPES)


class FixtureSites:
    """Serves every outlet of a fixture folder on its own loopback host, until stop().

    Each outlet has a distinct IP so host-based logic (domains, robots.txt per host, per-host
    throttling) behaves as on the real web. Tokens are substituted at serve time so feed and
    sitemap dates are always recent, whatever day the tests run.

    Args:
        root: folder holding ``manifest.json`` and the files its routes name.
        delay: seconds to wait before each answer, to make a crawl take measurable time.
        clock: returns "now" for ``{{AGO}}`` tokens (default: the wall clock in Europe/Rome).
        lifetime: when set, stop on our own after that many seconds, so a forgotten server in a
            crashed test or demo never outlives its purpose.
        first_host: last octet of the first outlet's 127.0.0.x address.
        port: the port every outlet listens on (each has its own IP, so one port serves all);
            0 picks a free port per outlet. A fixed port keeps URLs stable across runs (the demo).
    """

    def __init__(
        self,
        root: Path | str,
        delay: float = 0.0,
        *,
        clock: Callable[[], datetime] | None = None,
        lifetime: float | None = None,
        first_host: int = FIRST_HOST,
        port: int = 0,
    ) -> None:
        self.root = Path(root)
        self.port = port
        self.delay = delay
        self.lifetime = lifetime
        self._clock = clock or (lambda: datetime.now(ROME))
        manifest = json.loads((self.root / "manifest.json").read_text("utf-8"))
        self.outlets: dict[str, dict[str, Any]] = dict(manifest["outlets"])
        self.keys: list[str] = sorted(self.outlets)
        if len(self.keys) > MAX_OUTLETS or first_host + len(self.keys) > 255:
            raise ValueError(f"too many outlets for 127.0.0.{first_host}..254: {len(self.keys)}")
        self._ips = {k: f"127.0.0.{first_host + i}" for i, k in enumerate(self.keys)}
        self._routes: dict[str, dict[str, Route]] = {
            k: {p: self._load_route(k, p, r) for p, r in manifest.get("routes", {}).get(k, {}).items()}
            for k in self.keys
        }
        unknown = set(manifest.get("routes", {})) - set(self.keys)
        if unknown:
            raise ValueError(f"routes for outlets not in the manifest: {sorted(unknown)}")
        self._bases: dict[str, str] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._timer: threading.Timer | None = None
        self._hits: list[Hit] = []
        self._lock = threading.Lock()

    # --- loading ---------------------------------------------------------------------------

    def _load_route(self, key: str, path: str, spec: dict[str, Any]) -> Route:
        """Read and check a route up front: a bad token fails at start, not in the middle of a crawl."""
        if not path.startswith("/"):
            raise ValueError(f"{key}: route path {path!r} must start with '/'")
        content_type = spec.get("type", "text/html; charset=utf-8")
        file_name = spec.get("file", "")
        body = (self.root / file_name).read_bytes() if file_name else spec.get("body", "").encode("utf-8")
        do_gzip = bool(spec.get("gzip", False))
        template = do_gzip or not (spec.get("raw", False) or _is_binary(content_type, file_name))
        headers = {str(h): str(v) for h, v in spec.get("headers", {}).items()}
        route = Route(int(spec.get("status", 200)), body, content_type, headers, template, do_gzip)
        texts = [*headers.values()]
        if template:
            texts.append(body.decode("latin-1"))  # tokens are ASCII; latin-1 never fails
        for text in texts:
            for kind, arg in TOKEN_RE.findall(text):
                self._check_token(kind, arg, f"{key} {path}")
        return route

    def _check_token(self, kind: str, arg: str, where: str) -> None:
        if kind == "BASE":
            if arg not in self.outlets:
                raise ValueError(f"{where}: {{{{BASE:{arg}}}}} names no outlet")
            return
        hours, _, fmt = arg.partition(":")
        try:
            float(hours)
        except ValueError:
            raise ValueError(f"{where}: bad hours in {{{{AGO:{arg}}}}}") from None
        if fmt not in DATE_FORMATS:
            raise ValueError(f"{where}: unknown date format {fmt!r} (known: {', '.join(DATE_FORMATS)})")

    # --- substitution ----------------------------------------------------------------------

    def _token(self, kind: str, arg: str) -> str:
        if kind == "BASE":
            return self.base(arg)
        hours, _, fmt = arg.partition(":")
        moment = self._clock().astimezone(ROME).replace(microsecond=0) - timedelta(hours=float(hours))
        return DATE_FORMATS[fmt](moment.astimezone(ROME))

    def substitute(self, text: str) -> str:
        """Replace ``{{BASE:key}}`` and ``{{AGO:hours:fmt}}`` in a string."""
        return TOKEN_RE.sub(lambda m: self._token(m.group(1), m.group(2)), text)

    def substitute_bytes(self, body: bytes) -> bytes:
        """Same on bytes, so cp1252 or latin-1 pages keep their own bytes around the tokens."""
        return TOKEN_RE_BYTES.sub(lambda m: self._token(m.group(1).decode(), m.group(2).decode()).encode("ascii"), body)

    def render(self, key: str, path: str) -> tuple[int, str, dict[str, str], bytes]:
        """Status, content type, headers and body that ``path`` of outlet ``key`` answers now."""
        route = self._routes[key].get(path)
        if route is None:
            return 404, "text/html; charset=utf-8", {}, NOT_FOUND_BODY
        body = self.substitute_bytes(route.body) if route.template else route.body
        if route.gzip:
            body = gzip.compress(body, mtime=0)
        headers = {h: self.substitute(v) for h, v in route.headers.items()}
        return route.status, route.content_type, headers, body

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FixtureSites:
        """Bind every outlet on its IP and a free port, then serve each from a daemon thread."""
        if self._servers:
            raise RuntimeError("FixtureSites already started")
        try:
            for key in self.keys:
                server = _OutletServer((self._ips[key], self.port), _Handler)
                server.sites = self
                server.key = key
                self._servers.append(server)
                self._bases[key] = f"http://{self._ips[key]}:{server.server_address[1]}"
        except OSError:
            self.stop()
            raise
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": POLL_INTERVAL},
                name=f"fixture-{server.key}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        if self.lifetime is not None:
            self._timer = threading.Timer(self.lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        logger.debug("fixture outlets serving: %s", self._bases)
        return self

    def stop(self) -> None:
        """Stop serving and close every socket; safe to call twice or after a failed start()."""
        timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        servers, self._servers = self._servers, []
        threads, self._threads = self._threads, []
        for server, thread in zip(servers, threads, strict=False):
            if thread.is_alive():
                server.shutdown()
        for server in servers:
            server.server_close()
        for thread in threads:
            thread.join(timeout=2.0)
        self._bases.clear()

    def __enter__(self) -> FixtureSites:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return bool(self._servers)

    # --- addresses -------------------------------------------------------------------------

    def base(self, key: str) -> str:
        """``http://127.0.0.X:PORT`` of an outlet; only known once started."""
        try:
            return self._bases[key]
        except KeyError:
            if key not in self.outlets:
                raise KeyError(f"no outlet {key!r} in {self.root}") from None
            raise RuntimeError("FixtureSites not started: the port is chosen at start()") from None

    def url(self, key: str, path: str) -> str:
        return self.base(key) + path

    def ip(self, key: str) -> str:
        return self._ips[key]

    # --- hits ------------------------------------------------------------------------------

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    @property
    def hits(self) -> list[Hit]:
        """A copy of every request answered so far, in arrival order."""
        with self._lock:
            return list(self._hits)

    def hit_count(self, key: str, path: str) -> int:
        """How many times ``path`` (with its query) of outlet ``key`` was requested."""
        with self._lock:
            return sum(1 for h in self._hits if h.key == key and h.path == path)

    def clear_hits(self) -> None:
        with self._lock:
            self._hits.clear()

    # --- outlet file -----------------------------------------------------------------------

    def outlet_specs(self) -> list[dict[str, Any]]:
        """The outlets with real URLs, as plain dicts in the outlet-file field names."""
        specs = []
        for key in self.keys:
            spec = self.outlets[key]
            base = self.base(key)
            specs.append(
                {
                    "key": key,
                    "name": spec.get("name", key),
                    "domains": [self._ips[key]],
                    "language": spec.get("language", "it"),
                    "homepage": self.substitute(spec.get("homepage", base + "/")),
                    # a BASE token in a regex must match itself literally, dots and all
                    "article_url": TOKEN_RE.sub(
                        lambda m: re.escape(self._token(m.group(1), m.group(2))), spec.get("article_url", "")
                    ),
                    "feeds": [self.substitute(u) for u in spec.get("feeds", [])],
                    "sitemaps": [self.substitute(u) for u in spec.get("sitemaps", [])],
                    "robots": bool(spec.get("robots", False)),
                    "listing_pages": [self.substitute(u) for u in spec.get("listing_pages", [])],
                }
            )
        return specs

    def outlets_toml(self) -> str:
        """The project's outlet file for these outlets, one ``[[outlet]]`` table each."""
        out = [f"# Fixture outlets served from {self.root.name}/ by crawler.fixture_server\n"]
        for spec in self.outlet_specs():
            out.append("[[outlet]]")
            for field, value in spec.items():
                if field == "article_url":
                    out.append(f"{field} = {_toml_literal(value)}")
                else:
                    out.append(f"{field} = {_toml_value(value)}")
            out.append("")
        return "\n".join(out)

    def write_outlets_toml(self, path: Path | str) -> Path:
        path = Path(path)
        path.write_text(self.outlets_toml(), encoding="utf-8")
        return path

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)


def _toml_basic(s: str) -> str:
    out = []
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_literal(s: str) -> str:
    """Regexes as literal strings, so backslashes need no doubling; basic string when impossible."""
    if "'" not in s and "\n" not in s and "\r" not in s:
        return f"'{s}'"
    if "'''" not in s and not s.endswith("'") and "\r" not in s:
        return f"'''{s}'''"
    return _toml_basic(s)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_basic(str(value))


class _OutletServer(ThreadingHTTPServer):
    """One outlet's host; threads are daemons and close() does not wait for them."""

    daemon_threads = True
    block_on_close = False
    sites: FixtureSites
    key: str


class _Handler(BaseHTTPRequestHandler):
    server: _OutletServer
    server_version = "fixture-outlet/1.0"
    timeout = HANDLER_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.server.key, format % args)

    def _answer(self, head: bool) -> None:
        sites = self.server.sites
        arrived = time.monotonic()
        if sites.delay:
            time.sleep(sites.delay)
        try:
            status, content_type, headers, body = sites.render(self.server.key, self.path)
        except Exception:  # a broken route must answer, not hang the crawler
            logger.exception("fixture route %s %s failed", self.server.key, self.path)
            status, content_type, headers, body = 500, "text/plain", {}, b"fixture server error"
        sites._record(Hit(self.server.key, self.path, status, arrived, self.command))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)


def main(argv: list[str] | None = None) -> int:
    """Serve a fixture folder until SIGINT/SIGTERM (the offline demo and manual crawls use this)."""
    parser = argparse.ArgumentParser(prog="python -m crawler.fixture_server", description=__doc__)
    parser.add_argument("root", type=Path, help="folder with manifest.json")
    parser.add_argument("--toml", type=Path, help="write the outlet file for the served outlets here")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument("--lifetime", type=float, default=None, help="stop by itself after this many seconds")
    args = parser.parse_args(argv)

    done = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    sites = FixtureSites(args.root, delay=args.delay, lifetime=args.lifetime)
    sites.start()
    try:
        if args.toml:
            sites.write_outlets_toml(args.toml)
        print("ready", flush=True)
        for key in sites.keys:
            print(f"{key} {sites.base(key)}", flush=True)
        while not done.wait(0.2):
            if not sites.running:
                break
    finally:
        sites.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
