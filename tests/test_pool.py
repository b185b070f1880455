"""The extraction pool's workers survive a Ctrl-C to the process group from the moment they exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.pool import ExtractionPool

ROOT = Path(__file__).resolve().parents[1]

# A crawl process in miniature: its own process group (as a terminal's foreground job), a SIGINT
# handler of its own (Scrapy's), the pool started, a page submitted, and the whole group signalled
# at once, while the workers are still importing the extraction stack (about half a second).
SCRIPT = r"""
import asyncio, os, signal, sys
sys.path.insert(0, sys.argv[1])
from pipeline.pool import ExtractionPool
from tests.test_extract import article_html, page

got = []
signal.signal(signal.SIGINT, lambda *_: got.append("SIGINT"))

async def main():
    pool = ExtractionPool(2)
    pool.start()
    task = asyncio.ensure_future(pool.process(page(article_html())))
    await asyncio.sleep(0)  # submitted
    os.killpg(os.getpgid(0), signal.SIGINT)
    result = await task
    again = await pool.process(page(article_html()))
    pool.close()
    print(type(result).__name__, getattr(result, "detail", ""), type(again).__name__, got)

asyncio.run(main())
"""


def test_workers_started_during_a_ctrl_c_keep_working() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, start_new_session=True)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout + done.stderr[-2000:]
    assert done.stdout.split() == ["ExtractedArticle", "ExtractedArticle", "['SIGINT']"], out
    assert "KeyboardInterrupt" not in done.stderr, done.stderr[-2000:]


def test_workers_run_at_the_lower_priority_they_are_given() -> None:
    """The crawl process keeps its priority; its workers yield a core to it (SPORTNEWS_EXTRACT_NICE)."""
    own = os.nice(0)
    pool = ExtractionPool(1, nice=5)
    pool.start()
    try:
        assert pool._executor is not None
        assert pool._executor.submit(os.nice, 0).result(timeout=60) == min(own + 5, 19)
    finally:
        pool.close()
    assert os.nice(0) == own


def test_the_crawl_lowers_its_workers_priority_unless_told_not_to() -> None:
    from scrapy.settings import Settings

    from pipeline.extract_stage import ExtractPipeline

    def pool_nice(**settings: int) -> int:
        crawler = type("Crawler", (), {"settings": Settings(settings)})()
        return ExtractPipeline.from_crawler(crawler).pool.nice  # the pool is not started

    assert pool_nice() == 10
    assert pool_nice(SPORTNEWS_EXTRACT_NICE=0) == 0
