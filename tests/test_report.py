"""The HTML report: self-contained, every plot has data points, and it renders in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.commands.report import title_words
from storage.writer import ArchiveWriter
from tests.test_storage import article

NOW = datetime.now(UTC).replace(microsecond=0)
OUTLETS = {"gazzetta": 9, "cds": 6, "tuttosport": 4, "skysport": 3}  # articles per day each
WORDS = ("Napoli", "Inter", "Milan", "Juventus", "mercato", "Conte", "rinnovo", "Champions", "derby", "Roma")


def build_archive(db: Path) -> None:
    """Two weeks of four outlets: daily rhythms, two languages, a syndicated copy, a duplicate URL, runs."""
    w = ArchiveWriter(db)
    rows, dups = [], []
    n = 0
    for day in range(14):
        for outlet, per_day in OUTLETS.items():
            for k in range(per_day - (day % 3 if outlet == "skysport" else 0)):
                n += 1
                published = NOW - timedelta(days=day, hours=(k * 5 + day) % 24)
                text = f"{outlet} {n} " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(60))
                title = f"{WORDS[n % len(WORDS)]}, {WORDS[(n * 3) % len(WORDS)]} e il {WORDS[(n * 7) % len(WORDS)]}"
                rows.append(article(f"{outlet[:2]}{n:05d}", text, outlet=outlet, title=title,
                                    published_at=published.isoformat(), first_seen_at=published, updated_at=published,
                                    language="en" if (outlet == "skysport" and k == 0) else "it",
                                    duplicate_of="ga00001" if n % 17 == 0 and outlet == "cds" else None))  # fmt: skip
        dups.append({"url": f"https://x.it/d{day}?utm=1", "outlet": "tuttosport", "duplicate_of": "tu00001",
                     "duplicate_of_url": "https://x.it/tu", "kind": "url", "similarity": 1.0,
                     "seen_at": NOW - timedelta(days=day), "run_id": "r"})  # fmt: skip
    w.write_batch(rows, dups)
    for day in (9, 2, 0):
        run = f"run-{day}"
        w.start_run(run, list(OUTLETS), 2.0)
        w.finish_run(run, "finished", {o: {"fetched": 20, "stored": 18, "rejects": 1, "sources": 2} for o in OUTLETS})
    from storage.connection import opened

    with opened(db) as con:  # the runs happened on those days
        con.execute("UPDATE crawl_runs SET started_at = ? - to_days(CAST(split_part(run_id, '-', 2) AS INTEGER)), "
                    "finished_at = ? - to_days(CAST(split_part(run_id, '-', 2) AS INTEGER))", [NOW, NOW])  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    build_archive(tmp / "a.duckdb")
    cmd = [sys.executable, "-m", "crawler.cli", "report", "--db", str(tmp / "a.duckdb"), "--out",
           str(tmp / "report.html"), "--days", "14"]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return tmp / "report.html"


def plots(html: str) -> dict[str, int]:
    """aria-label -> number of data marks of every plot."""
    found = re.findall(r'<svg [^>]*aria-label="([^"]+)"[^>]*data-points="(\d+)"', html)
    return {label: int(points) for label, points in found}


def test_every_plot_has_its_data_points(report: Path) -> None:
    html = report.read_text("utf-8")
    got = plots(html)
    # one shaded cell per outlet and day (the oldest day's last hours fall outside the 14 days)
    assert 4 * 13 <= got["articles per outlet per day"] <= 4 * 14
    assert 7 * 10 <= got["publication hour by weekday (Europe/Rome)"] <= 7 * 24
    assert got["language share per outlet"] == 5  # four outlets in Italian, one also in English
    assert got["duplicate share per outlet"] >= 5  # four outlets' originals + cds copies + tuttosport URL variants
    assert got["outlet health: new articles per day (bar) against the usual rate (tick)"] == 4
    assert got["most frequent title words"] == len(WORDS)
    assert len(re.findall(r'class="pt"', html)) == sum(got.values())


def test_the_page_needs_no_network(report: Path) -> None:
    html = report.read_text("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "@import" not in html and "url(" not in html


def test_title_words_count_content_words_once_per_title() -> None:
    assert title_words(["L'Inter batte il Milan, Inter in testa", "Milan, che notte"]) == [("milan", 2), ("inter", 1),
        ("batte", 1), ("testa", 1), ("notte", 1)]  # fmt: skip


def png_ink(path: Path) -> tuple[int, int, float]:
    """Width, height and the share of non-zero bytes in the PNG's filtered pixel rows.

    A plain page filters to rows of zeros (each pixel equals its neighbour); text, shades and
    bars leave residuals. Counting them needs no image library and no per-pixel Python loop.
    """
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IHDR":
            header = data[pos + 8 : pos + 8 + length]
        elif kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    width, height = struct.unpack(">II", header[:8])
    raw = zlib.decompress(idat)
    return width, height, (len(raw) - raw.count(0)) / len(raw)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="no chromium: the CI set-up installs Debian's package (.ci/setup.sh)")
def test_the_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    cmd = [str(chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--screenshot={shot}", "--window-size=1280,2400", report.resolve().as_uri()]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=90,
                         env={**os.environ, "HOME": str(tmp_path)})  # fmt: skip
    assert shot.exists(), f"no screenshot: {res.stderr[-2000:]}"
    print(f"\nscreenshot of the report: {shot}")
    width, height, ink = png_ink(shot)
    assert (width, height) == (1280, 2400)
    # Measured at 1280x2400: a blank page 0.03%, a page with a heading and one line 0.07%, this
    # report 1.7%. 0.5% sits well between "nothing rendered" and "the plots rendered".
    assert ink > 0.005, f"the screenshot looks blank ({ink:.2%} ink)"
