"""The canary's logic against local outlets: which step broke, per outlet. The live check never runs here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.commands.canary import CanaryResult, Fetcher, run_canary
from crawler.fixture_server import FixtureSites
from crawler.outlets.registry import select_outlets
from crawler.outlets.spec import OutletSpec
from tests.ops_site import Outlet, write_site

UA = "sportnews-test/0"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureSites, Path]]:
    tmp = tmp_path_factory.mktemp("canary")
    root = write_site(tmp / "site", [
        Outlet("buono", articles=3),
        Outlet("rifatto", articles=3, layout="redesign"),
        Outlet("muto", articles=2, feed_status=404),
        Outlet("sviato", articles=2),
        Outlet("sparito", articles=2),
        Outlet("vietato", articles=2),
    ])  # fmt: skip
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["outlets"]["sviato"]["article_url"] = r"/articoli/\d+"  # the site moved its articles elsewhere
    manifest["routes"]["sparito"] = {p: r for p, r in manifest["routes"]["sparito"].items() if p == "/rss.xml"}
    manifest["routes"]["vietato"]["/robots.txt"] = {"body": "User-agent: *\nDisallow: /news/\n", "type": "text/plain"}
    (root / "manifest.json").write_text(json.dumps(manifest))
    with FixtureSites(root, lifetime=600) as sites:
        yield sites, sites.write_outlets_toml(tmp / "outlets.toml")


@pytest.fixture(scope="module")
def results(served: tuple[FixtureSites, Path]) -> dict[str, CanaryResult]:
    outlets: list[OutletSpec] = select_outlets(None, served[1])
    return {r.outlet: r for r in run_canary(outlets, Fetcher(UA, timeout=10), min_text_chars=400, workers=3)}


def test_a_healthy_outlet_yields_its_freshest_article(results: dict[str, CanaryResult]) -> None:
    r = results["buono"]
    assert (r.verdict, r.stage, r.problem) == ("ok", "", "")
    assert r.article_url and r.article_url.endswith("/news/1-milan-notizia-1")  # 1 hour old: the freshest
    assert r.source and r.source.endswith("/rss.xml")
    assert r.text_chars > 400 and r.published_at and r.title


def test_a_redesigned_page_is_an_extraction_break(results: dict[str, CanaryResult]) -> None:
    r = results["rifatto"]
    assert (r.verdict, r.stage) == ("broken", "extraction")
    assert "no publication date in the page" in r.problem and "chars < 400" in r.problem


def test_a_dead_feed_or_a_changed_url_pattern_is_a_discovery_break(results: dict[str, CanaryResult]) -> None:
    assert (results["muto"].verdict, results["muto"].stage, results["muto"].problem) == (
        "broken", "discovery", "feed HTTP 404"
    )  # fmt: skip
    assert (results["sviato"].stage, results["sviato"].problem) == ("discovery", "feed: no article URL among 2 entries")


def test_articles_that_cannot_be_fetched_are_a_fetch_break(results: dict[str, CanaryResult]) -> None:
    assert (results["sparito"].stage, results["sparito"].problem) == ("fetch", "fetch: HTTP 404; fetch: HTTP 404")
    assert (results["vietato"].stage, results["vietato"].problem) == (
        "fetch", "fetch: disallowed by robots.txt; fetch: disallowed by robots.txt"
    )  # fmt: skip


def test_only_the_outlets_own_hosts_were_asked(
    served: tuple[FixtureSites, Path], results: dict[str, CanaryResult]
) -> None:
    sites, _ = served
    per_outlet = {k: [h.path for h in sites.hits if h.key == k] for k in sites.keys}
    assert per_outlet["buono"] == ["/robots.txt", "/rss.xml", "/news/1-milan-notizia-1"]
    assert "/news/1-milan-notizia-1" not in per_outlet["vietato"]  # robots.txt said no: never fetched


def test_the_command_exits_1_when_an_outlet_is_broken(served: tuple[FixtureSites, Path]) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "canary", "--outlets", str(served[1]), "--outlet", "buono",
         "--outlet", "muto", "--format", "json"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert res.returncode == 1, res.stderr
    assert [(r["outlet"], r["verdict"]) for r in json.loads(res.stdout)] == [("buono", "ok"), ("muto", "broken")]
