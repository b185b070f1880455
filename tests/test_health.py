"""Outlet health: a redesign that silently turns pages into boilerplate is flagged, a healthy outlet is not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.commands.health import HealthRules, evaluate
from crawler.fixture_server import FixtureSites
from storage.connection import opened
from storage.report_queries import OutletWindow
from tests.ops_site import Outlet, write_site

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULES = HealthRules()
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "SPORTNEWS_EXTRACT_WORKERS=1"]


def sportnews(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "250"})  # fmt: skip


def crawl_site(tmp_path: Path, name: str, outlets: list[Outlet], db: Path) -> None:
    root = write_site(tmp_path / name, outlets)
    with FixtureSites(root, lifetime=600) as sites:
        toml = sites.write_outlets_toml(tmp_path / f"{name}.toml")
        res = sportnews("crawl", "--outlets", str(toml), "--db", str(db), "--since", "30", *FAST)
    assert res.returncode == 0, res.stdout + res.stderr


def shift_back(db: Path, days: int) -> None:
    """Move everything in the archive ``days`` into the past, as if that crawl had run then."""
    shift = f"INTERVAL {int(days)} DAY"  # an int we made: nothing user-given reaches the SQL
    with opened(db) as con:
        con.execute(f"UPDATE articles SET first_seen_at = first_seen_at - {shift}, updated_at = updated_at - {shift}, "
                    f"published_at = published_at - {shift}")  # fmt: skip
        con.execute(f"UPDATE crawl_runs SET started_at = started_at - {shift}, finished_at = finished_at - {shift}")
        con.execute(f"UPDATE duplicates SET seen_at = seen_at - {shift}")
        con.execute(f"UPDATE rejects SET seen_at = seen_at - {shift}, first_seen_at = first_seen_at - {shift}")


def test_an_outlet_switched_to_a_new_layout_mid_way_is_flagged_broken(tmp_path: Path) -> None:
    db = tmp_path / "archive.duckdb"
    # two days ago both outlets had the classic layout ...
    crawl_site(tmp_path, "before", [Outlet("alpha", articles=6), Outlet("beta", articles=6)], db)
    shift_back(db, 2)
    # ... today beta serves a JavaScript shell: no text for the extractor, no date in the page
    crawl_site(tmp_path, "after", [Outlet("alpha", articles=6, first=7),
                                   Outlet("beta", articles=6, first=7, layout="redesign")], db)  # fmt: skip

    res = sportnews("health", "--db", str(db), "--since", "1d")
    print(res.stdout)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 ok, 0 degraded, 1 broken" in res.stdout

    rows = {h["outlet"]: h for h in json.loads(sportnews("health", "--db", str(db), "--since", "1d",
                                                         "--format", "json").stdout)}  # fmt: skip
    alpha, beta = rows["alpha"], rows["beta"]
    assert alpha["verdict"] == "ok" and alpha["reasons"] == []
    assert alpha["articles_per_day"] == pytest.approx(6.0) and alpha["usual_per_day"] == pytest.approx(6.0, rel=0.01)
    assert alpha["text_share"] == 1.0 and alpha["date_share"] == 1.0
    assert beta["verdict"] == "broken"
    why = " | ".join(beta["reasons"])
    # all six pages extract to the same cookie notice: one is stored, five repeat it
    assert "same-text pages 83% >= 60%" in why
    assert "1.0/day vs usual 6.0" in why
    assert beta["last_success"] is not None

    only_alpha = sportnews("health", "--db", str(db), "--since", "1d", "--outlet", "alpha")
    assert only_alpha.returncode == 0, only_alpha.stdout
    strict = sportnews("health", "--db", str(db), "--since", "1d", "--rule", "duplicate_share_broken=0.9",
                       "--rule", "rate_broken=0.1", "--fail-on", "degraded")  # fmt: skip
    assert strict.returncode == 1 and "0 broken" in strict.stdout and "1 degraded" in strict.stdout


def test_nothing_crawled_in_the_window_is_an_alarm_too(tmp_path: Path) -> None:
    from storage.writer import ArchiveWriter

    ArchiveWriter(tmp_path / "a.duckdb").ensure_schema()
    res = sportnews("health", "--db", str(tmp_path / "a.duckdb"))
    assert res.returncode == 1 and "no crawl in the last 7d" in " ".join(res.stderr.split())
    bad = sportnews("health", "--db", str(tmp_path / "a.duckdb"), "--rule", "text_share=1")
    assert bad.returncode == 2 and "unknown rule 'text_share'" in bad.stderr


# -- the rules, threshold by threshold -----------------------------------------------------------
def window(**kw: object) -> OutletWindow:
    base: dict[str, object] = {
        "outlet": "x", "runs": 28, "unreachable_runs": 0, "sources": 56, "errors": 0, "fetched": 100, "rejects": 2,
        "articles": 70, "dated": 70, "long_text": 65, "exact_duplicates": 0, "baseline_articles": 280,
        "baseline_days": 28.0, "last_success": NOW - timedelta(hours=1),
    }  # fmt: skip
    base.update(kw)
    return OutletWindow(**base)  # type: ignore[arg-type]


def verdict(**kw: object) -> tuple[str, list[str]]:
    h = evaluate(window(**kw), 7.0, RULES, NOW)
    return h.verdict, h.reasons


def test_a_steady_outlet_is_ok() -> None:
    assert verdict() == ("ok", [])


@pytest.mark.parametrize(
    ("long_text", "expected"),
    [(36, "ok"), (35, "ok"), (34, "degraded"), (14, "degraded"), (13, "broken")],  # 35/70 = 50%, 14/70 = 20%
)
def test_text_share_thresholds(long_text: int, expected: str) -> None:
    assert verdict(long_text=long_text)[0] == expected


@pytest.mark.parametrize(("dated", "expected"), [(56, "ok"), (55, "degraded"), (35, "degraded"), (34, "broken")])
def test_date_share_thresholds(dated: int, expected: str) -> None:
    assert verdict(dated=dated)[0] == expected


@pytest.mark.parametrize(
    ("articles", "expected"),  # usual 10/day over 7 days: 70
    [(35, "ok"), (34, "degraded"), (14, "degraded"), (13, "broken"), (0, "broken")],
)
def test_rate_against_the_outlets_own_usual_rate(articles: int, expected: str) -> None:
    assert verdict(articles=articles, dated=articles, long_text=articles)[0] == expected


def test_small_samples_and_new_outlets_are_not_judged_on_shares_or_rate() -> None:
    assert verdict(articles=4, dated=0, long_text=0, baseline_articles=0, baseline_days=0.5) == ("ok", [])


@pytest.mark.parametrize(
    ("kw", "expected", "reason"),
    [
        ({"rejects": 24}, "ok", None),
        ({"rejects": 25}, "degraded", "rejects 25% >= 25%"),
        ({"rejects": 60}, "broken", "rejects 60% >= 60%"),
        ({"errors": 14}, "degraded", "source errors 25% >= 25%"),
        ({"errors": 56, "unreachable_runs": 28}, "broken", "source errors 100% >= 90%"),
        ({"exact_duplicates": 30}, "degraded", "same-text pages 30% >= 30%"),
    ],
)
def test_reject_error_and_duplicate_rates(kw: dict[str, int], expected: str, reason: str | None) -> None:
    got, reasons = verdict(**kw)
    assert got == expected
    assert reasons == ([reason] if reason else [])


def test_an_outlet_that_stopped_yesterday_is_broken_even_when_its_week_looks_fine() -> None:
    # usual 10/day: a gap of 2.4 h; silent for 4 gaps would be 9.6 h, but at least 24 h is asked
    assert verdict(last_success=NOW - timedelta(hours=23))[0] == "ok"
    got, reasons = verdict(last_success=NOW - timedelta(hours=30))
    assert got == "broken" and reasons == ["no new article for 1d6h (usual gap 2h24m)"]


def test_rules_are_overridable_by_name() -> None:
    rules = RULES.with_overrides(["text_share_broken=0.6", "min_text_chars=100"])
    assert (rules.text_share_broken, rules.min_text_chars) == (0.6, 100)
    with pytest.raises(ValueError, match="not a number"):
        RULES.with_overrides(["min_articles=tanti"])


def test_every_rule_is_documented_in_the_readme() -> None:
    import dataclasses

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    monitoring = readme.split("## Monitoring", 1)[1].split("\n## ", 1)[0]
    missing = [f.name for f in dataclasses.fields(HealthRules) if f"`{f.name}`" not in monitoring]
    assert not missing, f"rules not in README.md, Monitoring: {missing}"
