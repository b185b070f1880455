"""The recorded fixture outlets, served by crawler.fixture_server and fetched over loopback with urllib."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest

from crawler.fixture_server import FixtureSites

SITES = Path(__file__).parent / "fixtures" / "sites"
MANIFEST: dict[str, Any] = json.loads((SITES / "manifest.json").read_text("utf-8"))
EXPECTED: dict[str, Any] = json.loads((SITES / "expected.json").read_text("utf-8"))
ROUTES: dict[str, dict[str, dict[str, Any]]] = MANIFEST["routes"]
ROME = ZoneInfo("Europe/Rome")

FEED = "/rss/sport_calcio.xml"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SM_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
IT_MONTHS = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")
IT_RFC822_RE = re.compile(
    r"^(lun|mar|mer|gio|ven|sab|dom), (\d\d) ([a-z]{3}) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-]\d{4})$"
)
# Feed and sitemap dates are "hours ago" tokens: the oldest feed item is 30 hours old, the oldest
# news-sitemap entry about a day; the slack covers a test run that straddles a second boundary.
FEED_WINDOW = timedelta(hours=30)
SITEMAP_WINDOW = timedelta(hours=48)
SLACK = timedelta(minutes=1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let 3xx answers through as HTTPError, so the test sees the redirect itself."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy: the fixture hosts are loopback addresses, whatever the environment says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str) -> tuple[int, Message, bytes]:
    """Status, headers and body of a GET, error statuses included."""
    try:
        with OPENER.open(url, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read()


@pytest.fixture(scope="module")
def sites() -> Iterator[FixtureSites]:
    with FixtureSites(SITES, lifetime=60) as served:
        yield served


def parse_it_rfc822(value: str) -> datetime:
    """``gio, 26 nov 2026 10:26:06 +0100`` (Sky Sport's Italian pubDate) as an aware datetime."""
    m = IT_RFC822_RE.match(value.strip())
    if not m:
        raise ValueError(f"not an Italian RFC 822 date: {value!r}")
    _, day, month, year, hh, mm, ss, zone = m.groups()
    naive = datetime(int(year), IT_MONTHS.index(month) + 1, int(day), int(hh), int(mm), int(ss))
    return datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S} {zone}", "%Y-%m-%d %H:%M:%S %z")


def assert_recent(moment: datetime, window: timedelta) -> None:
    now = datetime.now(ROME)
    assert now - window - SLACK <= moment <= now + SLACK, f"{moment} not within {window} of {now}"


def article_re(sites: FixtureSites, outlet: str) -> re.Pattern[str]:
    spec = next(s for s in sites.outlet_specs() if s["key"] == outlet)
    return re.compile(spec["article_url"])


def page_text(outlet: str, path: str) -> str:
    """A route's file decoded with the charset its Content-Type announces."""
    route = ROUTES[outlet][path]
    charset = re.search(r"charset=([\w-]+)", route.get("type", "text/html; charset=utf-8"))
    return (SITES / route["file"]).read_bytes().decode(charset.group(1) if charset else "utf-8")


def test_feed_has_recent_dates_and_absolute_links(sites: FixtureSites) -> None:
    status, headers, body = fetch(sites.url("curvasud", FEED))
    assert status == 200
    assert headers.get_content_type() == "application/rss+xml"
    assert b"{{" not in body
    channel = ElementTree.fromstring(body).find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert len(items) >= 10
    base = sites.base("curvasud")
    for item in items:
        link = item.findtext("link") or ""
        assert link.startswith(base + "/"), link
        assert_recent(parse_it_rfc822(item.findtext("pubDate") or ""), FEED_WINDOW)
        assert item.find("{http://www.curvasud.it/rss/1.0/}image") is not None
    dates = [parse_it_rfc822(i.findtext("pubDate") or "") for i in items]
    assert dates == sorted(dates, reverse=True), "newest first, as real feeds are"
    assert len(set(dates)) == len(dates)


def test_robots_leads_to_gzipped_news_sitemap(sites: FixtureSites) -> None:
    base = sites.base("rosanera")
    status, _, robots = fetch(base + "/robots.txt")
    assert status == 200
    sitemap_lines = [
        line.split(":", 1)[1].strip() for line in robots.decode().splitlines() if line.startswith("Sitemap:")
    ]
    assert sitemap_lines == [base + "/sitemap_index.xml"]

    _, _, index_body = fetch(sitemap_lines[0])
    children = [loc.text or "" for loc in ElementTree.fromstring(index_body).iter(SM_NS + "loc")]
    news_url = next(u for u in children if u.endswith(".xml.gz"))
    assert news_url.startswith(base + "/")
    for lastmod in ElementTree.fromstring(index_body).iter(SM_NS + "lastmod"):
        assert_recent(datetime.fromisoformat(lastmod.text or ""), SITEMAP_WINDOW)

    status, headers, gz = fetch(news_url)
    assert status == 200
    assert headers.get_content_type() == "application/x-gzip"
    assert gz[:2] == b"\x1f\x8b"
    xml = gzip.decompress(gz)
    assert b"{{" not in xml
    urls = ElementTree.fromstring(xml).findall(SM_NS + "url")
    assert urls
    for url in urls:
        assert (url.findtext(SM_NS + "loc") or "").startswith(base + "/")
        published = url.findtext(f"{NEWS_NS}news/{NEWS_NS}publication_date") or ""
        assert_recent(datetime.fromisoformat(published), SITEMAP_WINDOW)
        assert url.findtext(f"{NEWS_NS}news/{NEWS_NS}title")


def test_redirect_answers_301_with_substituted_location(sites: FixtureSites) -> None:
    (moved,) = [d for d in EXPECTED["duplicates"] if d["kind"] == "redirect"]
    status, headers, _ = fetch(sites.url(moved["outlet"], moved["url_path"]))
    assert status == 301
    assert headers["Location"] == sites.url(moved["of_outlet"], moved["of_path"])


def test_cp1252_page_is_served_in_cp1252(sites: FixtureSites) -> None:
    (path,) = [p for p, r in ROUTES["tribuna"].items() if "windows-1252" in r.get("type", "")]
    status, headers, body = fetch(sites.url("tribuna", path))
    assert status == 200
    assert headers.get_content_charset() == "windows-1252"
    for char in "èàù“”€":
        assert char.encode("cp1252") in body, char
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert any(a["url_path"] == path and re.search("[àèéìòù€]", a["text_snippet"]) for a in EXPECTED["articles"])


def test_unknown_path_is_404(sites: FixtureSites) -> None:
    status, _, body = fetch(sites.url("tribuna", "/non/esiste/"))
    assert status == 404
    assert b"Pagina non trovata" in body


def test_hits_are_recorded(sites: FixtureSites) -> None:
    path = "/tag/napoli/?from=test"
    before = sites.hit_count("tribuna", path)
    fetch(sites.url("tribuna", path))
    assert sites.hit_count("tribuna", path) == before + 1
    assert sites.hits[-1].path == path


def test_outlets_toml_parses_with_every_field(sites: FixtureSites) -> None:
    outlets = {o["key"]: o for o in tomllib.loads(sites.outlets_toml())["outlet"]}
    assert set(outlets) == {"curvasud", "rosanera", "tribuna"}
    for key, spec in outlets.items():
        assert spec["domains"] == [sites.ip(key)]
        assert spec["homepage"] == sites.base(key) + "/"
        assert spec["language"] == "it"
        re.compile(spec["article_url"])
    assert outlets["curvasud"]["feeds"] == [sites.url("curvasud", FEED)]
    assert outlets["rosanera"]["robots"] is True
    assert outlets["tribuna"]["listing_pages"] == [
        sites.url("tribuna", "/calcio/"),
        sites.url("tribuna", "/calcio/serie-a/"),
    ]


def test_expected_paths_are_served() -> None:
    """Every path expected.json names has a route; the rejects answer the status they are expected for."""
    named = [
        *((e["outlet"], e["url_path"]) for e in EXPECTED["articles"]),
        *((d["outlet"], d["url_path"]) for d in EXPECTED["duplicates"]),
        *((d["of_outlet"], d["of_path"]) for d in EXPECTED["duplicates"]),
        *((r["outlet"], r["url_path"]) for r in EXPECTED["rejects"]),
        *((n["outlet"], n["url_path"]) for n in EXPECTED["not_fetched"]),
        *((n["outlet"], n["url_path"]) for n in EXPECTED["not_articles"]),
    ]
    for outlet, path in named:
        assert path in ROUTES[outlet], f"{outlet} {path}"
    for reject in EXPECTED["rejects"]:
        status = ROUTES[reject["outlet"]][reject["url_path"]].get("status", 200)
        assert status == {"http_404": 404, "http_500": 500, "no_text": 200}[reject["reason"]]


def test_article_patterns_tell_articles_from_other_pages(sites: FixtureSites) -> None:
    must_match = [
        *((e["outlet"], e["url_path"]) for e in EXPECTED["articles"]),
        *((d["outlet"], d["url_path"]) for d in EXPECTED["duplicates"]),
        *((r["outlet"], r["url_path"]) for r in EXPECTED["rejects"]),
        *((n["outlet"], n["url_path"]) for n in EXPECTED["not_fetched"]),
    ]
    for outlet, path in must_match:
        pattern = article_re(sites, outlet)
        assert pattern.search(sites.url(outlet, path)), path
        assert pattern.search(sites.url(outlet, path) + "?utm_source=newsletter#commenti"), path
    for item in EXPECTED["not_articles"]:
        assert not article_re(sites, item["outlet"]).search(sites.url(item["outlet"], item["url_path"]))


def test_robots_disallows_exactly_the_not_fetched_article(sites: FixtureSites) -> None:
    (secret,) = EXPECTED["not_fetched"]
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(page_text("rosanera", "/robots.txt").splitlines())
    assert not parser.can_fetch("sportnews/0.1", sites.url("rosanera", secret["url_path"]))
    for article in EXPECTED["articles"]:
        if article["outlet"] == "rosanera":
            assert parser.can_fetch("sportnews/0.1", sites.url("rosanera", article["url_path"]))


def test_pages_hold_their_snippet_and_the_boilerplate_to_strip() -> None:
    """The traps are real: each snippet is in its page, and so is every phrase the text must not keep."""
    for article in EXPECTED["articles"]:
        page = page_text(article["outlet"], article["url_path"])
        assert article["text_snippet"] in page.replace("&#x27;", "'").replace("&quot;", '"'), article["url_path"]
        for phrase in article["must_not_contain"]:
            assert phrase in page, (article["url_path"], phrase)


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_fixture_make_sites", SITES.parent / "make_sites.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_committed_sites_match_the_generator(tmp_path: Path) -> None:
    """tests/fixtures/sites is exactly what make_sites.py writes: edit the script, then re-run it."""
    _load_generator().build(tmp_path)
    written = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(SITES): p.read_bytes() for p in SITES.rglob("*") if p.is_file()}
    assert sorted(written) == sorted(committed)
    stale = [str(name) for name, data in written.items() if committed[name] != data]
    assert not stale, f"re-run tests/fixtures/make_sites.py: {stale}"
