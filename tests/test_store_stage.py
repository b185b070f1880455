"""The store stage's batching: bounded batches, and no cascade of tiny writes behind a slow one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from pipeline import store_stage
from pipeline.items import Discovery, ExtractedArticle
from pipeline.store_stage import StorePipeline
from storage.writer import BatchResult


def article(n: int) -> ExtractedArticle:
    url = f"https://www.example.it/calcio/{n}"
    return ExtractedArticle(
        outlet="x", url=url, canonical_url=url, url_key=url, title="T", authors=[], published_at=None,
        published_raw=None, published_source=None, modified_at=None, description=None, section=None, tags=[],
        image=None, text="testo", language="it", language_prob=1.0, word_count=1, content_hash=f"h{n}",
        page_kind="article", fetched_at="2026-03-04T10:00:00+00:00", http_status=200, raw_html=b"",
        content_type="text/html", discovery=Discovery("listing", url), html_compressed=b"x",
    )  # fmt: skip


class GatedWriter:
    """Records each batch's article URLs; a write blocks until ``gate`` is set, like a slow archive."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.batches: list[list[str]] = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def write_batch(self, articles: Sequence[dict[str, Any]], duplicates: Sequence[Any] = (),
                    rejects: Sequence[Any] = (), before: Callable[..., None] | None = None) -> BatchResult:  # fmt: skip
        self.started.set()
        assert self.gate.wait(10), "the test never released the write"
        self.batches.append([a["url"] for a in articles])
        return BatchResult(inserted=len(articles), written_ids={a["article_id"] for a in articles})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(store_stage.time, "monotonic", c)
    return c


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_items_that_arrive_during_a_slow_timed_write_wait_for_their_own_batch(clock: Clock) -> None:
    """The oldest row's age decides, not the time of the last write: items that came during a write
    that the timer started are not each written alone once it ends."""

    async def scenario() -> list[list[str]]:
        writer = GatedWriter()
        stage = StorePipeline(writer, batch_size=100, flush_seconds=10)  # type: ignore[arg-type]
        await stage.process_item(article(0))
        clock.now += 11
        first = asyncio.ensure_future(stage.process_item(article(1)))  # due by time: the write starts
        await asyncio.to_thread(writer.started.wait, 5)
        late = [asyncio.ensure_future(stage.process_item(article(n))) for n in range(2, 6)]
        await _settle()
        assert all(t.done() for t in late), "items not due must not wait for the write in progress"
        writer.gate.set()
        await asyncio.gather(first, *late)
        assert len(writer.batches) == 1
        await stage.close_spider()
        return writer.batches

    batches = asyncio.run(scenario())
    assert [len(b) for b in batches] == [2, 4]


def test_a_write_takes_at_most_batch_size_articles_and_writes_the_rest_next(clock: Clock) -> None:
    async def scenario() -> list[list[str]]:
        writer = GatedWriter()
        stage = StorePipeline(writer, batch_size=3, flush_seconds=3600)  # type: ignore[arg-type]
        for n in range(2):
            await stage.process_item(article(n))
        first = asyncio.ensure_future(stage.process_item(article(2)))  # a full batch: written
        await asyncio.to_thread(writer.started.wait, 5)
        waiting = [asyncio.ensure_future(stage.process_item(article(n))) for n in range(3, 10)]
        await _settle()
        assert not any(t.done() for t in waiting[2:]), "a full batch waiting holds the items back"
        writer.gate.set()
        await asyncio.gather(first, *waiting)
        await stage.close_spider()
        assert writer.closed, "the writer's DuckDB database is let go when the crawl ends"
        return writer.batches

    batches = asyncio.run(scenario())
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert [u for b in batches for u in b] == [f"https://www.example.it/calcio/{n}" for n in range(10)]
