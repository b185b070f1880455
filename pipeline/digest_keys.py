"""A crawl's memory of what it has seen, packed: keys as 64-bit digests, answers as bytes in arrays.

A crawl remembers every URL key it claimed and every text and URL key it stored, for the rest of
the run, so the URL and the text that come again are told apart without asking the archive. As
Python objects (a dict entry, an int digest, a str URL, a record with its own strings and time)
that came to about 0.5 KB a page of the crawl process's memory, for the whole run: 9.5 MB of the
growth of a 20,000-page crawl (tracemalloc, benchmarks/throughput.py), about 100 MB for a
backfill of 200,000 articles.

Here the digests sit in a sorted NumPy array, found by binary search (with the latest few
thousand in a dict until they are merged in), and the strings they answer with sit end to end
in one byte buffer: about 12 bytes a key and the UTF-8 length of its answer plus 8, 1.5-2 us a
lookup or an insertion instead of 0.2. The dedupe stage's tables of 20,000 pages take 3.1 MB
instead of 7.9 (tests/test_digest_keys.py). The peak RSS of a 20,000-page crawl did not move with
it (490 MB against 492, the crawl process 286 against 287): that peak is set during a write, by
DuckDB and the pages in flight; this is for crawls long enough that the run's memory would.

Two keys sharing a digest (about one chance in 10^8 in a crawl of 200,000 pages) would make the
second look seen: a new article taken for a duplicate.
"""

from __future__ import annotations

import hashlib
from array import array

import numpy as np

MERGE_AT = 4096
"""Digests held in a plain dict before they are merged into the sorted arrays. A merge sorts the
whole table again (about 4 ms at 200,000 keys), so it happens once per this many new keys; the
dict costs about 100 bytes a key meanwhile."""


def digest(text: str) -> int:
    """64 bits of BLAKE2b of ``text``, signed (NumPy's int64)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class DigestIndex:
    """digest -> row number, for a table that only grows (a row can be pointed at again).

    Starts empty, or from ``digests`` already sorted and distinct with their ``rows`` (a table
    built whole, crawler/archive_view.py).
    """

    __slots__ = ("_digests", "_recent", "_rows")

    def __init__(self, digests: np.ndarray | None = None, rows: np.ndarray | None = None) -> None:
        self._digests = np.empty(0, dtype=np.int64) if digests is None else digests
        self._rows = np.empty(0, dtype=np.int32) if rows is None else rows
        self._recent: dict[int, int] = {}

    def _position(self, d: int) -> int | None:
        i = int(np.searchsorted(self._digests, d))
        return i if i < len(self._digests) and int(self._digests[i]) == d else None

    def find(self, d: int) -> int | None:
        """The row of digest ``d``, or None."""
        row = self._recent.get(d)
        if row is not None:
            return row
        i = self._position(d)
        return None if i is None else int(self._rows[i])

    def put(self, d: int, row: int) -> None:
        """Point digest ``d`` at ``row``, whether it was there or not."""
        if d not in self._recent and (i := self._position(d)) is not None:
            self._rows[i] = row
            return
        self._recent[d] = row
        if len(self._recent) >= MERGE_AT:
            self._merge()

    def _merge(self) -> None:
        n = len(self._recent)
        digests = np.concatenate([self._digests, np.fromiter(self._recent.keys(), dtype=np.int64, count=n)])
        rows = np.concatenate([self._rows, np.fromiter(self._recent.values(), dtype=np.int32, count=n)])
        order = np.argsort(digests, kind="stable")
        self._digests, self._rows, self._recent = digests[order], rows[order], {}

    def __len__(self) -> int:
        return len(self._digests) + len(self._recent)


class TextNumbers:
    """Strings that recur (outlet names, the feed or sitemap that listed a URL), each kept once and
    named by its number, so a packed row holds the number instead of the string."""

    __slots__ = ("_numbers", "_texts")

    def __init__(self) -> None:
        self._texts: list[str] = []
        self._numbers: dict[str, int] = {}

    def number(self, text: str) -> int:
        """``text``'s number, given at its first time here."""
        number = self._numbers.get(text)
        if number is None:
            number = self._numbers[text] = len(self._texts)
            self._texts.append(text)
        return number

    def __getitem__(self, number: int) -> str:
        return self._texts[number]


class PackedStrings:
    """Strings end to end in one UTF-8 buffer, each read back by its number."""

    __slots__ = ("_data", "_ends")

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")

    def add(self, text: str) -> int:
        """Keep ``text``; returns its number."""
        self._data += text.encode("utf-8")
        self._ends.append(len(self._data))
        return len(self._ends) - 1

    def __getitem__(self, n: int) -> str:
        start = self._ends[n - 1] if n > 0 else 0
        return self._data[start : self._ends[n]].decode("utf-8")

    def __len__(self) -> int:
        return len(self._ends)


class DigestSet:
    """A set of strings that keeps their digests: ``in``, ``add`` and ``len`` as a set answers them."""

    __slots__ = ("_index",)

    def __init__(self) -> None:
        self._index = DigestIndex()

    def add(self, text: str) -> None:
        self._index.put(digest(text), 0)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self._index.find(digest(text)) is not None

    def __len__(self) -> int:
        return len(self._index)


class StrByDigest:
    """A dict of str keys to str answers (URL key -> URL), read and written like one, packed.

    The answers go into a ``PackedStrings`` that another table may share (the dedupe stage's URLs
    are both its URL keys' answers and its texts' originals' URLs): ``row_of`` and ``put_row`` work
    with the shared numbers.
    """

    __slots__ = ("_index", "strings")

    def __init__(self, strings: PackedStrings | None = None) -> None:
        self._index = DigestIndex()
        self.strings = strings if strings is not None else PackedStrings()

    def row_of(self, key: str) -> int | None:
        """The number of ``key``'s answer in ``strings``, or None."""
        return self._index.find(digest(key))

    def put_row(self, key: str, row: int) -> None:
        self._index.put(digest(key), row)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.row_of(key) is not None

    def __getitem__(self, key: str) -> str:
        row = self.row_of(key)
        if row is None:
            raise KeyError(key)
        return self.strings[row]

    def __setitem__(self, key: str, value: str) -> None:
        self.put_row(key, self.strings.add(value))

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.row_of(key)
        return default if row is None else self.strings[row]

    def __len__(self) -> int:
        return len(self._index)
