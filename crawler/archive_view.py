"""What earlier runs stored, packed: the URL keys and URLs a crawl must not fetch again.

A crawl loads, at its start, every article of its outlets under each of its URL keys, and every
URL that ended as a duplicate or a reject, so that it fetches only what is new or changed. That
grows with the archive, and as Python dicts of strings, tuples and datetimes it cost about 330
bytes a key (measured on a 20,000-page crawl's archive: 5.6 MB for 17,837 keys and 2,166 settled
URLs), so a crawl of an archive of a million articles would start by taking hundreds of MB. Here
a key is 8 bytes of its BLAKE2b digest in a sorted NumPy array, found by binary search, and
points at its article's id and change time; a settled URL is a digest and a reason number.

Two keys sharing a digest (about one chance in 10^7 with a million keys) would make a new
article look known: it would be skipped until the other one leaves the archive.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from datetime import datetime

import numpy as np

from pipeline.digest_keys import DigestIndex, digest
from storage.sql import NO_TIME, micros_of, utc_from_micros


def _first_of_each(digests: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct digests, sorted, and for each the position of its first occurrence."""
    order = np.argsort(digests, kind="stable")
    ordered = digests[order]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first], order[first]


class _Packed:
    """Sorted digests with a row number each: membership and lookup in O(log n)."""

    def __init__(self, digests: np.ndarray, rows: np.ndarray) -> None:
        self._index = DigestIndex(digests, rows)

    def _row(self, text: str) -> int | None:
        return self._index.find(digest(text))

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self._row(text) is not None

    def __len__(self) -> int:
        return len(self._index)


class KnownArticles(_Packed):
    """URL key -> (article_id, changed_at) of the stored articles, read like the dict it replaces."""

    def __init__(self, digests: np.ndarray, rows: np.ndarray, ids: np.ndarray, changed: np.ndarray) -> None:
        super().__init__(digests, rows)
        self._ids = ids
        self._changed = changed

    @classmethod
    def build(cls, articles: Iterable[tuple[Iterable[str], str, datetime | None]]) -> KnownArticles:
        """From (URL keys, article_id, changed_at) per article; of two articles under one key the first
        wins, as ``dict.setdefault`` did."""
        digests, owners, changed = array("q"), array("q"), array("q")
        ids: list[bytes] = []
        for keys, article_id, changed_at in articles:
            for key in set(keys):
                digests.append(digest(key))
                owners.append(len(ids))
            ids.append(article_id.encode("utf-8"))
            changed.append(micros_of(changed_at))
        unique, first = _first_of_each(np.frombuffer(digests, dtype=np.int64))
        rows = np.frombuffer(owners, dtype=np.int64)[first].astype(np.int32 if len(ids) < 2**31 else np.int64)
        width = max((len(i) for i in ids), default=1)
        return cls(unique, rows, np.array(ids, dtype=f"S{width}"), np.frombuffer(changed, dtype=np.int64).copy())

    def __getitem__(self, key: str) -> tuple[str, datetime | None]:
        row = self._row(key)
        if row is None:
            raise KeyError(key)
        micros = int(self._changed[row])
        return self._ids[row].decode("utf-8"), None if micros == NO_TIME else utc_from_micros(micros)

    def get(self, key: str, default: tuple[str, datetime | None] | None = None) -> tuple[str, datetime | None] | None:
        try:
            return self[key]
        except KeyError:
            return default


class SettledUrls(_Packed):
    """URL -> why it ended without an article (``duplicate`` or the reject reason), read like a dict."""

    def __init__(self, digests: np.ndarray, rows: np.ndarray, reasons: list[str]) -> None:
        super().__init__(digests, rows)
        self._reasons = reasons

    @classmethod
    def build(cls, settled: Iterable[tuple[str, str]]) -> SettledUrls:
        """From (URL, reason) pairs; of two for one URL the last wins, as assigning into a dict did."""
        digests, codes = array("q"), array("i")
        reasons: dict[str, int] = {}
        for url, reason in settled:
            digests.append(digest(url))
            codes.append(reasons.setdefault(reason, len(reasons)))
        # Reversed, so the first occurrence is the last given.
        unique, first = _first_of_each(np.frombuffer(digests, dtype=np.int64)[::-1])
        return cls(unique, np.frombuffer(codes, dtype=np.int32)[::-1][first].copy(), list(reasons))

    def __getitem__(self, url: str) -> str:
        row = self._row(url)
        if row is None:
            raise KeyError(url)
        return self._reasons[row]

    def get(self, url: str, default: str | None = None) -> str | None:
        row = self._row(url)
        return default if row is None else self._reasons[row]
