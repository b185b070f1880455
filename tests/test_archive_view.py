"""The archive's view a crawl starts from, packed: the same answers as the dicts, in far less memory."""

from __future__ import annotations

import gc
import random
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.archive_view import KnownArticles, SettledUrls
from crawler.spiders.outlet import OutletSpider
from pipeline.urls import url_key
from storage.writer import ArchiveWriter
from tests.test_spider import OUTLETS
from tests.test_storage import NOW, article, reject

LATER = NOW + timedelta(hours=3)


def test_known_articles_answer_like_the_dict_they_replace() -> None:
    rows = [
        (("x.it/a", "x.it/a-amp"), "0123456789abcdef", NOW),
        (("x.it/b",), "fedcba9876543210", None),
        (("x.it/a", "x.it/c"), "1111111111111111", LATER),  # x.it/a again: the first article keeps it
    ]
    as_dict: dict[str, tuple[str, datetime | None]] = {}
    for keys, article_id, changed in rows:
        for key in keys:
            as_dict.setdefault(key, (article_id, changed))
    packed = KnownArticles.build(rows)
    assert len(packed) == len(as_dict) == 4
    for key, value in as_dict.items():
        assert key in packed and packed[key] == value and packed.get(key) == value
    assert packed["x.it/a"] == ("0123456789abcdef", NOW) and packed["x.it/b"] == ("fedcba9876543210", None)
    assert "x.it/d" not in packed and packed.get("x.it/d") is None and packed.get("x.it/d", ("?", None)) == ("?", None)
    with pytest.raises(KeyError):
        packed["x.it/d"]
    assert 7 not in packed  # not a string: never a key
    naive = KnownArticles.build([(("x.it/n",), "n", datetime(2026, 3, 4, 11, 30))])  # a TIMESTAMP read as UTC
    assert naive["x.it/n"] == ("n", NOW)
    assert len(KnownArticles.build([])) == 0 and "x.it/a" not in KnownArticles.build([])


def test_settled_urls_keep_the_last_reason_given() -> None:
    pairs = [("https://x.it/a", "http_404"), ("https://x.it/b", "http_500"), ("https://x.it/a", "duplicate")]
    packed = SettledUrls.build(pairs)
    assert dict(pairs) == {"https://x.it/a": "duplicate", "https://x.it/b": "http_500"}
    assert (packed["https://x.it/a"], packed["https://x.it/b"], len(packed)) == ("duplicate", "http_500", 2)
    assert "https://x.it/c" not in packed and packed.get("https://x.it/c", "none") == "none"


@pytest.mark.parametrize("pack", [True, False])
def test_the_spider_loads_the_archive_under_every_key(tmp_path: Path, pack: bool) -> None:
    """Stored key, URL and canonical URL (keyed as now) lead to the article; rejects and duplicates
    to their reason; the packed view and the dicts (the distributed seeder's) answer alike."""
    db = tmp_path / "a.duckdb"
    writer = ArchiveWriter(db)
    moved = article("m1", url="https://www.x.it/calcio/old-path?utm_source=x", canonical_url="https://x.it/calcio/new",
                    url_key="x.it/calcio/new", outlet="curvasud")  # fmt: skip
    other = article("o1", text="Un altro testo.", outlet="other")  # another outlet: not loaded
    plain = article("p1", text="Terzo testo.", outlet="curvasud", modified_at=LATER)
    writer.write_batch([moved, other, plain], rejects=[{**reject("https://x.it/gone"), "outlet": "curvasud"}],
                       duplicates=[{"url": "https://x.it/copy", "outlet": "curvasud", "duplicate_of": "p1",
                                    "duplicate_of_url": plain["url"], "kind": "exact", "similarity": 1.0,
                                    "seen_at": NOW, "run_id": "r1"}])  # fmt: skip
    writer.close()
    (tmp_path / "outlets.toml").write_text(OUTLETS)
    crawler = get_crawler(OutletSpider, {"SPORTNEWS_DB": str(db)})
    spider = OutletSpider.from_crawler(crawler, outlets_file=str(tmp_path / "outlets.toml"), since=2)
    spider.pack_archive_state = pack
    spider.load_archive_state()
    assert isinstance(spider.known, KnownArticles) is pack and isinstance(spider.settled, SettledUrls) is pack
    for key in ("x.it/calcio/new", url_key(moved["url"]), url_key("https://x.it/calcio/new")):  # type: ignore[arg-type]
        assert spider.known[key] == ("m1", NOW)
    assert url_key(moved["url"]) == "x.it/calcio/old-path"  # type: ignore[arg-type]
    assert spider.known[url_key(plain["url"])] == ("p1", LATER)  # type: ignore[arg-type]
    assert url_key(other["url"]) not in spider.known  # type: ignore[arg-type]
    assert len(spider.known) == 3
    assert (spider.settled["https://x.it/gone"], spider.settled["https://x.it/copy"]) == ("http_404", "duplicate")
    assert "https://x.it/a1" not in spider.settled


def test_the_packed_view_takes_a_seventh_of_the_dicts_memory() -> None:
    """20,000 articles under two keys each: what a crawl of a 20,000-page archive keeps for its life."""
    rng = random.Random(1)
    rows = [((f"x.it/calcio/2026/03/{n}/titolo-{n}", f"x.it/amp/calcio/{n}"), f"{rng.getrandbits(64):016x}",
             NOW + timedelta(seconds=n)) for n in range(20_000)]  # fmt: skip

    def held(build: object) -> tuple[object, int]:
        gc.collect()
        tracemalloc.start()
        try:
            view = build()  # type: ignore[operator]
            gc.collect()
            return view, tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()

    def as_dict() -> dict[str, tuple[str, datetime | None]]:
        # Fresh strings and times, as read from DuckDB; the rows above are shared by both builds.
        out: dict[str, tuple[str, datetime | None]] = {}
        for keys, article_id, changed in rows:
            fresh_id, fresh_time = "".join(article_id), changed.astimezone(UTC)
            for key in keys:
                out.setdefault("".join(key), (fresh_id, fresh_time))
        return out

    packed, packed_bytes = held(lambda: KnownArticles.build(rows))
    plain, plain_bytes = held(as_dict)
    assert len(packed) == len(plain) == 40_000  # type: ignore[arg-type]
    assert packed_bytes < 40 * 40_000  # 8 bytes a key, 4 for its row, 24 an article
    assert packed_bytes * 7 < plain_bytes  # measured: 0.96 MB against 7.6 MB
