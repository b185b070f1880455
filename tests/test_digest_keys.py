"""A crawl's memory of what it has seen, packed: the answers of a dict and a set, less of their memory."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pipeline import digest_keys
from pipeline.dedupe_stage import Original, Originals
from pipeline.digest_keys import DigestSet, PackedStrings, StrByDigest, digest


def test_str_by_digest_answers_like_a_dict() -> None:
    seen = StrByDigest()
    seen["x.it/calcio/a"] = "https://x.it/calcio/a"
    assert "x.it/calcio/a" in seen and seen["x.it/calcio/a"] == "https://x.it/calcio/a"
    assert "x.it/calcio/b" not in seen and seen.get("x.it/calcio/b") is None and seen.get("x.it/calcio/b", "-") == "-"
    with pytest.raises(KeyError, match=r"x\.it/calcio/b"):
        seen["x.it/calcio/b"]
    seen["x.it/calcio/a"] = "https://www.x.it/calcio/à"  # assignment replaces (and any UTF-8 comes back)
    assert seen["x.it/calcio/a"] == "https://www.x.it/calcio/à"
    seen["x.it/calcio/b"] = "https://x.it/calcio/b"
    assert len(seen) == 2
    assert 3 not in seen  # type: ignore[operator]
    assert digest("x.it/calcio/a") == digest("x.it/calcio/a") != digest("x.it/calcio/A")
    assert -(2**63) <= digest("x.it/calcio/a") < 2**63


def test_keys_stay_found_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``MERGE_AT`` new keys the recent ones join the sorted arrays: every key is found there,
    replacing an answer works on either side, and nothing unseen is found."""
    monkeypatch.setattr(digest_keys, "MERGE_AT", 64)
    urls, claims = StrByDigest(), DigestSet()
    for n in range(1000):
        urls[f"k{n}"] = f"https://x.it/{n}"
        claims.add(f"https://x.it/{n}")
    assert len(urls) == len(claims) == 1000 and len(urls._index._recent) < 64
    urls["k3"] = "https://x.it/three"  # in the sorted arrays by now
    urls["k999"] = "https://x.it/last"  # still among the recent ones
    claims.add("https://x.it/3")  # again: no second entry
    assert len(urls) == len(claims) == 1000
    assert [urls[f"k{n}"] for n in (0, 3, 500, 999)] == ["https://x.it/0", "https://x.it/three", "https://x.it/500",
                                                         "https://x.it/last"]  # fmt: skip
    assert all(f"https://x.it/{n}" in claims for n in range(1000))
    assert not any(f"k{n}" in urls or f"https://x.it/{n}" in claims for n in range(1000, 3000))


def test_packed_strings_come_back_by_number() -> None:
    strings = PackedStrings()
    numbers = [strings.add(s) for s in ("", "https://x.it/a", "città", "")]
    assert numbers == [0, 1, 2, 3] and [strings[n] for n in numbers] == ["", "https://x.it/a", "città", ""]


def _held(build: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        kept = build()
        gc.collect()
        assert kept is not None
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def test_a_crawls_memories_take_a_fraction_of_the_objects() -> None:
    """What the dedupe stage remembers of 20,000 stored pages (URL key -> URL, text -> its first
    article) as dicts of Python objects, as it was, against the packed tables."""
    when = datetime(2026, 3, 4, 12, tzinfo=UTC)
    pages = [(f"x.it/calcio/2026/03/04/titolo-lungo-di-un-articolo-{n}", f"https://www.x.it/calcio/2026/{n}.shtml",
              f"{n:040x}", f"{n:016x}", when + timedelta(minutes=n)) for n in range(20_000)]  # fmt: skip

    def as_objects() -> object:
        by_key: dict[int, str] = {}
        by_text: dict[int, Original] = {}
        for key, url, chash, article_id, published in pages:
            url = "".join(url)  # a fresh string, as each page's result brings
            by_key[digest(key)] = url
            by_text[digest(chash)] = Original("".join(article_id), "curvasud", url, published + timedelta(0))
        return by_key, by_text

    def packed() -> object:
        urls = PackedStrings()
        by_key, by_text = StrByDigest(urls), Originals(urls)
        for key, url, chash, article_id, published in pages:
            row = urls.add(url)
            by_key.put_row(key, row)
            by_text.put(chash, article_id, "curvasud", row, published)
        return by_key, by_text

    objects, compact = _held(as_objects), _held(packed)
    assert compact < 0.5 * objects, (compact, objects)  # measured: 3.1 MB against 7.9 MB


def test_originals_answer_with_the_first_article_in_utc() -> None:
    rome = timezone(timedelta(hours=1))
    urls = PackedStrings()
    originals = Originals(urls)
    originals.put("h1", "a1", "curvasud", urls.add("https://x.it/a"), datetime(2026, 3, 4, 12, 30, tzinfo=rome))
    originals.put("h2", "b1", "ilpallonaro", urls.add("https://y.it/b"), None)
    originals.put("h3", "c1", "curvasud", urls.add("https://x.it/c"), datetime(2026, 3, 4, 12, 30))  # no zone: UTC
    a, b, c = originals.get("h1"), originals.get("h2"), originals.get("h3")
    assert a == Original("a1", "curvasud", "https://x.it/a", datetime(2026, 3, 4, 11, 30, tzinfo=UTC))
    assert a is not None and a.published_at is not None and a.published_at.utcoffset() == timedelta(0)
    assert b == Original("b1", "ilpallonaro", "https://y.it/b", None)
    assert c is not None and c.published_at == datetime(2026, 3, 4, 12, 30, tzinfo=UTC)
    assert originals.get("h4") is None and "h1" in originals and "h4" not in originals and len(originals) == 3
    originals.put("h1", "d1", "ilpallonaro", urls.add("https://y.it/d"), None)  # a text's new first copy
    assert originals.get("h1") == Original("d1", "ilpallonaro", "https://y.it/d", None) and len(originals) == 3
