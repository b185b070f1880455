"""A generated multi-outlet site for the distributed-crawl test and benchmark: hundreds of articles.

Written into a tmp dir in the manifest format of ``crawler.fixture_server`` (one loopback host
per outlet). Besides plain articles each outlet has the cases a fleet must decide exactly as one
process does: URLs listed twice (feed and sitemap), a tracking-parameter variant, a same-outlet
exact copy, an agency text every outlet runs, a redirect to an unlisted article, a 404, a page
without text, and (with ``prepare_archive``) updated, unchanged and settled URLs from an earlier run.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.text import content_hash
from pipeline.urls import article_id_for, url_key
from storage.writer import ArchiveWriter

# fmt: off
WORDS = (
    "squadra", "partita", "allenatore", "stadio", "tifosi", "campionato", "classifica", "gol", "rigore", "portiere",
    "difesa", "attacco", "centrocampista", "capitano", "società", "mercato", "contratto", "rinnovo", "trattativa",
    "infortunio", "ginocchio", "recupero", "settimana", "allenamento", "conferenza", "stampa", "vittoria",
    "sconfitta", "pareggio", "derby", "trasferta", "casa", "curva", "bandiere", "cori", "pomeriggio", "sera",
    "notte", "domenica", "sabato", "giornata", "turno", "coppa", "europa", "finale", "semifinale", "arbitro", "var",
    "fuorigioco", "ammonizione", "espulsione", "minuto", "tempo", "ripresa", "sostituzione", "panchina",
    "presidente", "direttore", "sportivo", "procuratore", "giovane", "talento", "esordio", "prestito", "riscatto",
    "cessione", "acquisto", "offerta", "milioni", "bilancio", "stagione", "obiettivo", "salvezza", "scudetto",
    "qualificazione", "girone", "sorteggio", "calendario", "città", "quartiere", "storia", "tradizione", "maglia",
    "numero", "fascia", "dedica", "ringraziamento", "emozione", "lacrime", "strategia", "modulo", "pressing",
    "contropiede", "cross", "colpo", "testa", "tiro", "traversa", "palo", "parata", "respinta", "occasione",
)
# fmt: on
TEAMS = ("Napoli", "Milan", "Inter", "Juventus", "Roma", "Lazio", "Atalanta", "Fiorentina", "Torino", "Bologna")
ARTICLE_URL = r"/calcio/\d+-[a-z0-9]+-[a-z0-9-]+$"
PUBLISHED = "2026-01-15T10:00:00+01:00"
"""Fixed on every page, so two crawls of the site store identical rows."""
UPDATES = 3
"""Articles per outlet stored by an earlier run whose sitemap says they changed since."""


def key_of(outlet: int) -> str:
    return f"club{outlet}"


def paragraphs(seed: str, n: int = 6, words: int = 24) -> list[str]:
    """Italian-looking paragraphs drawn at random from a seed: any two seeds share almost no
    5-word shingle, so only the copies made on purpose look alike to the near-duplicate layer."""
    rng = random.Random(seed)
    team = rng.choice(TEAMS)
    out = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(words))
        out.append(f"{team if i == 0 else body.split()[0].capitalize()} {body}.")
    return out


def page(title: str, paras: list[str]) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": PUBLISHED, "author": {"@type": "Person", "name": "Mario Rossi"}})  # fmt: skip
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8"><title>{title}</title>'
            f'<script type="application/ld+json">{ld}</script></head><body><nav><a href="/">Home</a></nav>'
            f"<main><article><h1>{title}</h1>{body}</article></main><footer>Redazione</footer>"
            "</body></html>")  # fmt: skip


EMPTY_PAGE = '<!DOCTYPE html><html lang="it"><head><title>Vuoto</title></head><body><nav>Home</nav></body></html>'


def path(outlet: int, tag: str, slug: str) -> str:
    return f"/calcio/{outlet}-{tag}-{slug}"


def rss(outlet: int, paths: list[str]) -> str:
    base = f"{{{{BASE:{key_of(outlet)}}}}}"
    items = "".join(f"<item><title>t{i}</title><link>{base}{p}</link><pubDate>{{{{AGO:{0.01 * i:.2f}:rfc822}}}}"
                    f"</pubDate></item>" for i, p in enumerate(paths))  # fmt: skip
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>club{outlet}</title>{items}</channel></rss>'


def sitemap(outlet: int, entries: list[tuple[str, float]]) -> str:
    base = f"{{{{BASE:{key_of(outlet)}}}}}"
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{{{{AGO:{h}:iso}}}}</lastmod></url>" for p, h in entries)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def write_site(root: Path, outlets: int = 8, articles: int = 64) -> dict[str, Any]:
    """Write the site under ``root``; returns what each outlet holds (paths by role) for assertions."""
    root.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"outlets": {}, "routes": {}}
    layout: dict[str, Any] = {}
    agency = paragraphs("agenzia-comunicato-lega")
    for o in range(outlets):
        key = key_of(o)
        routes: dict[str, Any] = {}

        def html(p: str, text: str, routes: dict[str, Any] = routes) -> None:
            routes[p] = {"body": text}

        plain = [path(o, f"a{j}", f"notizia-{o}-{j}") for j in range(articles)]
        for j, p in enumerate(plain):
            html(p, page(f"Notizia {o}-{j}", paragraphs(f"notizia-{o}-{j}")))
        copy = path(o, "x", "copia")
        html(copy, page(f"Notizia {o}-10", paragraphs(f"notizia-{o}-10")))  # same text as a10: exact duplicate
        agency_path = path(o, "s", "agenzia")
        html(agency_path, page("Comunicato della Lega", agency))  # the same text on every outlet
        old, new = path(o, "r", "vecchio-indirizzo"), path(o, "n", "nuovo-indirizzo")
        routes[old] = {"status": 301, "body": "", "headers": {"Location": f"{{{{BASE:{key}}}}}{new}"}}
        html(new, page(f"Spostato {o}", paragraphs(f"spostato-{o}")))
        missing = path(o, "g", "sparito")  # no route: the server answers 404
        empty = path(o, "e", "vuoto")
        routes[empty] = {"body": EMPTY_PAGE}
        settled = path(o, "p", "gia-rifiutato")  # rejected (404) by an earlier run: never asked again
        html(settled, page(f"Rifiutato {o}", paragraphs(f"rifiutato-{o}")))
        updated = [path(o, f"u{i}", "aggiornato") for i in range(UPDATES)]
        for i, p in enumerate(updated):
            html(p, page(f"Aggiornato {o}-{i}", paragraphs(f"aggiornato-{o}-{i}-v2")))
        unchanged = path(o, "k", "stabile")
        html(unchanged, page(f"Stabile {o}", paragraphs(f"stabile-{o}")))
        variant = plain[5] + "?utm_source=twitter&utm_medium=social"
        feed = [*plain[:6], variant, *plain[6:], copy, agency_path, old, missing, empty, settled]
        routes["/rss.xml"] = {"body": rss(o, feed), "type": "application/rss+xml; charset=utf-8"}
        entries = [(p, 2.0) for p in plain[:20]] + [(p, 1.0) for p in updated] + [(unchanged, 20.0)]
        routes["/sitemap.xml"] = {"body": sitemap(o, entries), "type": "application/xml"}
        manifest["outlets"][key] = {
            "name": f"Club {o}", "language": "it", "article_url": ARTICLE_URL,
            "feeds": [f"{{{{BASE:{key}}}}}/rss.xml"], "sitemaps": [f"{{{{BASE:{key}}}}}/sitemap.xml"],
        }  # fmt: skip
        manifest["routes"][key] = routes
        layout[key] = {"plain": plain, "copy": copy, "agency": agency_path, "redirect": (old, new),
                       "missing": missing, "empty": empty, "settled": settled, "updated": updated,
                       "unchanged": unchanged, "variant": variant}  # fmt: skip
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return layout


def fetched_article_paths(layout: dict[str, Any]) -> dict[str, set[str]]:
    """Per outlet, the article paths a crawl must ask for exactly once."""
    out = {}
    for key, lay in layout.items():
        old, new = lay["redirect"]
        out[key] = {*lay["plain"], lay["copy"], lay["agency"], old, new, lay["missing"], lay["empty"],
                    *lay["updated"]}  # fmt: skip
    return out


def prepare_archive(db: Path, layout: dict[str, Any], bases: dict[str, str]) -> None:
    """An earlier run's rows: old versions of the updated articles, an unchanged one, a settled 404."""
    old = datetime.now(UTC) - timedelta(days=3)
    now = datetime.now(UTC)
    articles, rejects = [], []

    def row(url: str, outlet: str, text: str, when: datetime) -> dict[str, Any]:
        key = url_key(url)
        return {"article_id": article_id_for(key), "outlet": outlet, "url": url, "canonical_url": url, "url_key": key,
                "title": "Prima versione", "authors": [], "published_at": PUBLISHED, "text": text, "language": "it",
                "word_count": len(text.split()), "content_hash": content_hash(text),
                "page_kind": "article", "tags": [], "first_seen_at": when, "updated_at": when, "run_id": "earlier",
                "raw_html": b"<html></html>", "fetched_at": when, "http_status": 200, "content_type": "text/html",
                "discovered_via": "sitemap", "discovered_from": bases[outlet] + "/sitemap.xml"}  # fmt: skip

    for key, lay in layout.items():
        base = bases[key]
        for p in lay["updated"]:
            articles.append(row(base + p, key, "Testo della prima versione, poi aggiornato.", old))
        articles.append(row(base + lay["unchanged"], key, "\n".join(paragraphs(f"stabile-{key[4:]}")), now))
        rejects.append({"url": base + lay["settled"], "outlet": key, "reason": "http_404", "detail": "",
                        "stage": "article", "http_status": 404, "attempts": 1, "first_seen_at": old, "seen_at": old,
                        "run_id": "earlier"})  # fmt: skip
    ArchiveWriter(db).write_batch(articles, [], rejects)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throw-away Debian redis-server on 127.0.0.1 and a free port (no persistence), its URL.

    Raises FileNotFoundError when redis-server is not installed, RuntimeError when it does not answer.
    """
    from redis import Redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server not found: `apt-get install redis-server` (.ci/setup.sh does it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    client = Redis(host="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except Exception as exc:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {port}") from exc
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
