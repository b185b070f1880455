"""The sportnews command as a user runs it: real subprocesses, real archive files."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from storage.writer import ArchiveWriter
from tests.test_storage import article

CORPUS = Path(os.environ.get("SPORTNEWS_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))


def sportnews(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env)  # fmt: skip


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_on_every_command() -> None:
    for cmd in ("crawl", "outlets", "query", "export", "extract", "demo"):
        res = sportnews(cmd, "--help")
        assert res.returncode == 0 and "usage: sportnews" in res.stdout, res.stderr


def test_outlets_lists_the_registry() -> None:
    res = sportnews("outlets", "--format", "json")
    outlets = json.loads(res.stdout)
    keys = {o["key"] for o in outlets}
    assert len(outlets) >= 20 and {"gazzetta", "cds", "tuttosport", "skysport", "tmw"} <= keys


def test_crawl_of_unreachable_outlets_ends_cleanly_with_a_summary(tmp_path: Path) -> None:
    port = closed_port()
    (tmp_path / "o.toml").write_text(
        f'[[outlet]]\nkey = "spenta"\ndomains = ["127.0.0.1"]\nfeeds = ["http://127.0.0.1:{port}/rss.xml"]\n'
        f'listing_pages = ["http://127.0.0.1:{port}/calcio/"]\n'
    )
    res = sportnews("crawl", "--outlets", str(tmp_path / "o.toml"), "--db", str(tmp_path / "a.duckdb"),
                    "-s", "RETRY_TIMES=0")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert "unreachable" in res.stdout and "connection refused" in res.stdout
    q = sportnews("query", "SELECT outlet, status, errors FROM crawl_run_outlets", "--db", str(tmp_path / "a.duckdb"),
                  "--format", "json")  # fmt: skip
    assert json.loads(q.stdout) == [{"outlet": "spenta", "status": "unreachable", "errors": 2}]


def test_bad_outlet_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "o.toml").write_text('[[outlet]]\nkey = "x"\ndomains = ["x.it"]\nfeeds = "https://x.it/rss"\n')
    res = sportnews("crawl", "--outlets", str(tmp_path / "o.toml"), "--db", str(tmp_path / "a.duckdb"))
    assert res.returncode == 2
    assert "outlet 'x'" in res.stderr and "feeds" in res.stderr and "Traceback" not in res.stderr


def test_query_is_read_only_and_formats(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).write_batch([article()])
    res = sportnews("query", "SELECT outlet, title FROM articles", "--db", str(db), "--format", "csv")
    assert res.stdout.splitlines() == ["outlet,title", "curvasud,Titolo"]
    res = sportnews("query", "DELETE FROM articles", "--db", str(db))
    assert res.returncode == 1 and "read-only" in res.stderr.lower()
    res = sportnews("query", "SELECT 1", "--db", str(tmp_path / "missing.duckdb"))
    assert res.returncode == 3 and "no archive" in res.stderr


def test_export_txt_shape(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    ArchiveWriter(db).write_batch([article()])
    res = sportnews("export", "--format", "txt", "--out", str(tmp_path / "txt"), "--db", str(db))
    assert res.returncode == 0, res.stderr
    (f,) = (tmp_path / "txt").iterdir()
    assert f.read_text().startswith("date 2026-03-04 Titolo\n\nIl Napoli vince.")


def test_extract_a_saved_page(tmp_path: Path) -> None:
    paragraph = "La Juventus ha battuto il Torino nel derby della Mole con una rete nel finale di partita. " * 6
    html = (
        '<html lang="it"><head><title>Derby alla Juve | Curva Sud</title>'
        '<meta property="article:published_time" content="2026-03-04T20:45:00+01:00"></head>'
        f"<body><article><h1>Derby alla Juve</h1><p>{paragraph}</p><p>{paragraph}</p></article></body></html>"
    )
    page = tmp_path / "p.html.gz"
    page.write_bytes(gzip.compress(html.encode()))
    res = sportnews("extract", str(page), "--url", "https://www.curvasud.it/calcio/2026/03/04/derby")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    for key in ("url", "title", "authors", "published", "modified", "description", "section", "tags", "text",
                "language", "word_count"):  # fmt: skip
        assert key in out
    assert out["published"] == "2026-03-04T20:45:00+01:00"
    assert out["language"] == "it" and "derby della Mole" in out["text"]


def test_extract_rejects_a_page_without_text(tmp_path: Path) -> None:
    (tmp_path / "e.html").write_text("<html><body><nav>Home</nav></body></html>")
    res = sportnews("extract", str(tmp_path / "e.html"))
    assert res.returncode == 1 and json.loads(res.stdout)["rejected"] == "no_text"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_extract_works_on_corpus_pages() -> None:
    pages = sorted(CORPUS.glob("*.html.gz"))[:5]
    for page in pages:
        ref = json.loads(page.with_name(page.name.replace(".html.gz", ".json")).read_text())
        res = sportnews("extract", str(page), "--url", ref.get("url") or "")
        assert res.returncode in (0, 1) and "Traceback" not in res.stderr
        json.loads(res.stdout)
