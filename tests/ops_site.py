"""Tiny generated outlets for the operations tests (schedule, health, canary, report, conditional fetching).

The pages are made here, not recorded: these tests are about what happens around extraction
(runs, locks, validators, verdicts), so they need outlets whose layout they can switch at will.
Each site is a folder in the manifest format of ``crawler.fixture_server`` (served by
``FixtureSites``), written into a test's tmp dir.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TEMPLATES = (
    "Il {team} ha preparato la sfida contro il {rival} con {num} allenamenti a porte chiuse a {city}.",
    "{coach} ha parlato in conferenza stampa delle condizioni di {player}, fermo da {num} giorni.",
    "Al {stadium} sono attesi {big} tifosi per la partita tra {team} e {rival} di {day}.",
    "{player} ha firmato il rinnovo con il {team} fino al {year}, con un ingaggio di {num} milioni.",
    "La difesa del {team} ha subito {num} gol nelle ultime {small} giornate, meno del {rival}.",
    "Il direttore sportivo del {team} ha incontrato a {city} gli agenti di {player} per {small} ore.",
    "Nel primo tempo {player} ha colpito un palo, poi al minuto {minute} ha segnato di testa.",
    "Il {team} ha annunciato lavori da {num} milioni per il centro sportivo di {city}.",
    "{coach} ha dedicato la vittoria sul {rival} ai {big} tifosi arrivati da {city}.",
    "Secondo le indiscrezioni di {day}, {player} potrebbe lasciare il {team} per {num} milioni.",
    "{player} ha parato un rigore al minuto {minute}, salvando il {team} contro il {rival}.",
    "La classifica vede il {team} a {small} punti dal {rival} dopo {num} giornate.",
    "Il medico del {team} ha spiegato che {player} tornerà in campo tra {small} settimane.",
    "A {city} il {team} ha presentato la nuova maglia davanti a {big} persone.",
    "{coach} ha cambiato {small} giocatori rispetto alla partita contro il {rival} di {day}.",
    "Il presidente del {team} ha chiesto a {coach} di vincere almeno {small} delle prossime partite.",
)
TEAMS = ("napoli", "milan", "inter", "juventus", "roma", "lazio", "atalanta", "fiorentina", "torino", "bologna")
PLAYERS = ("Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo",
           "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti")  # fmt: skip
COACHES = ("Spalletti", "Conte", "Allegri", "Inzaghi", "Gasperini", "Sarri", "Italiano", "Pioli")
CITIES = ("Milano", "Roma", "Napoli", "Torino", "Firenze", "Bologna", "Bergamo", "Genova", "Verona", "Bari")
DAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")


def article_text(n: int, sentences: int = 8) -> list[str]:
    """Paragraphs for article ``n``: the same newsroom phrases, filled with names and numbers of its own.

    Every article must read as a different story to the near-duplicate detection (5-word shingles),
    or later articles of an outlet would fold into earlier ones as revisions.
    """
    rng = random.Random(n)
    team = TEAMS[n % len(TEAMS)].capitalize()
    out = []
    for template in rng.sample(TEMPLATES, sentences):
        out.append(template.format(
            team=team, rival=rng.choice([t for t in TEAMS if t != team.lower()]).capitalize(),
            player=rng.choice(PLAYERS), coach=rng.choice(COACHES), city=rng.choice(CITIES), day=rng.choice(DAYS),
            stadium=f"stadio {rng.choice(CITIES)}", num=rng.randint(2, 99), small=rng.randint(2, 9),
            big=f"{rng.randint(10, 80)}.{rng.randint(100, 999)}", minute=rng.randint(1, 95),
            year=rng.randint(2027, 2031),
        ) + f" ({team}, notizia {n}.{len(out) + 1})")  # fmt: skip
    return out


ARTICLE_URL = r"/news/\d+-[a-z0-9-]+$"


def classic_page(n: int, title: str, hours_ago: float) -> str:
    """The old layout: an <article> with JSON-LD, a dated byline and paragraphs."""
    ld = json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
         "datePublished": f"{{{{AGO:{hours_ago}:iso}}}}", "author": {"@type": "Person", "name": "Mario Rossi"}}
    )  # fmt: skip
    paragraphs = "".join(f"<p>{p}</p>" for p in article_text(n))
    return (
        f'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{ld}</script></head><body><header><nav><a href="/">Home</a> '
        f'<a href="/calcio/">Calcio</a></nav></header><main><article><h1>{title}</h1>'
        f'<p class="byline">di Mario Rossi</p>{paragraphs}</article></main>'
        f"<footer><p>© Redazione sportiva</p></footer></body></html>"
    )


def redesign_page(n: int, title: str) -> str:
    """The new layout: the text moved into a script the extractor cannot read, no dates anywhere.

    What a JavaScript front end looks like to a crawler that does not run JavaScript: a shell,
    a cookie notice and a navigation bar.
    """
    data = json.dumps({"id": n, "body": " ".join(article_text(n))})
    return (
        f'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div id="cookie">Questo sito utilizza cookie tecnici e di profilazione. Continuando a navigare '
        f"accetti l'uso dei cookie secondo la nostra informativa estesa sulla privacy e sui dati.</div>"
        f'<nav><a href="/">Home</a> <a href="/calcio/">Calcio</a> <a href="/mercato/">Mercato</a></nav>'
        f'<div id="app"></div><script>window.__DATA__ = {data};</script></body></html>'
    )


@dataclass
class Outlet:
    """One generated outlet: ``articles`` numbered from ``first``, the newest ``step_hours`` apart."""

    key: str
    articles: int = 3
    first: int = 1
    layout: str = "classic"
    """classic or redesign."""
    step_hours: float = 2.0
    feed_status: int = 200
    feed_headers: dict[str, str] = field(default_factory=dict)
    sitemap: bool = False
    """Also a sitemap index with one child news sitemap."""

    def paths(self) -> list[str]:
        return [f"/news/{n}-{TEAMS[n % len(TEAMS)]}-notizia-{n}" for n in self.numbers()]

    def numbers(self) -> range:
        return range(self.first, self.first + self.articles)


def write_site(root: Path, outlets: list[Outlet]) -> Path:
    """Write a FixtureSites folder (manifest.json + files) for these outlets; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"outlets": {}, "routes": {}}
    for o in outlets:
        base = f"{{{{BASE:{o.key}}}}}"
        spec: dict[str, Any] = {"name": o.key.capitalize(), "language": "it", "article_url": ARTICLE_URL,
                                "feeds": [f"{base}/rss.xml"]}  # fmt: skip
        routes: dict[str, Any] = {}
        items = []
        for i, (n, path) in enumerate(zip(o.numbers(), o.paths(), strict=True)):
            hours = 1 + i * o.step_hours
            title = f"{TEAMS[n % len(TEAMS)].capitalize()}, la notizia numero {n} della settimana"
            page = classic_page(n, title, hours) if o.layout == "classic" else redesign_page(n, title)
            (root / o.key).mkdir(exist_ok=True)
            (root / o.key / f"{n}.html").write_text(page, "utf-8")
            routes[path] = {"file": f"{o.key}/{n}.html"}
            items.append(f"<item><title>{title}</title><link>{base}{path}</link>"
                         f"<pubDate>{{{{AGO:{hours}:rfc822}}}}</pubDate></item>")  # fmt: skip
        rss = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>'
               f"{o.key}</title><link>{base}/</link>{''.join(items)}</channel></rss>")  # fmt: skip
        (root / o.key / "rss.xml").write_text(rss, "utf-8")
        routes["/rss.xml"] = {"file": f"{o.key}/rss.xml", "type": "application/rss+xml; charset=utf-8",
                              "status": o.feed_status, "headers": o.feed_headers}  # fmt: skip
        manifest["outlets"][o.key] = spec
        manifest["routes"][o.key] = routes
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    return root


# -- a server that honours conditional requests --------------------------------------------------
@dataclass
class Seen:
    """One request the conditional server answered."""

    path: str
    status: int
    headers: dict[str, str]


class ConditionalSite:
    """Serves fixed bodies on 127.0.0.1 with ETag and Last-Modified, answering 304 when they match.

    ``FixtureSites`` answers every request in full; conditional fetching needs a server that
    compares validators, and a record of the request headers the crawler sent.
    """

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str, str | None, str | None]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            etag: str | None = None, last_modified: str | None = None) -> None:  # fmt: skip
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.routes[path] = (data, content_type, etag, last_modified)

    @property
    def base(self) -> str:
        if self._server is None:
            raise RuntimeError("not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def clear(self) -> None:
        with self._lock:
            self.seen.clear()

    @contextmanager
    def serving(self) -> Iterator[ConditionalSite]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with site._lock:
                    route = site.routes.get(self.path)
                if route is None:
                    status, body, headers = 404, b"not found", {"Content-Type": "text/plain"}
                else:
                    data, ctype, etag, modified = route
                    headers = {"Content-Type": ctype}
                    if etag:
                        headers["ETag"] = etag
                    if modified:
                        headers["Last-Modified"] = modified
                    inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                    fresh = (inm is not None and inm == etag) or (inm is None and ims is not None and ims == modified)
                    status, body = (304, b"") if fresh else (200, data)
                with site._lock:
                    site.seen.append(Seen(self.path, status, dict(self.headers.items())))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=2)
            self._server = None
