"""Maps keyed by 64-bit digests of their string keys: a crawl's memory of what it has seen.

A crawl remembers every URL key it claimed and every text and URL key it stored, for the rest of
the run, so the URL and the text that come again are told apart without asking the archive. As
str keys (a URL key is about 90 bytes, a SHA-1 hex 89) that grows with the crawl by hundreds of
bytes a page; an int digest is 36. Two keys sharing a digest (about one chance in 10^8 in a crawl
of 200,000 pages) would make the second look seen: a new article taken for a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Generic, TypeVar, overload

V = TypeVar("V")


def digest(text: str) -> int:
    """64 bits of BLAKE2b of ``text``, signed (NumPy's int64)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class DigestKeyed(Generic[V]):
    """A dict of str keys that keeps their digests instead of the strings: read and written like one."""

    __slots__ = ("_by_digest",)

    def __init__(self) -> None:
        self._by_digest: dict[int, V] = {}

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and digest(key) in self._by_digest

    def __getitem__(self, key: str) -> V:
        try:
            return self._by_digest[digest(key)]
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key: str, value: V) -> None:
        self._by_digest[digest(key)] = value

    @overload
    def get(self, key: str) -> V | None: ...
    @overload
    def get(self, key: str, default: V) -> V: ...
    def get(self, key: str, default: V | None = None) -> V | None:
        return self._by_digest.get(digest(key), default)

    def setdefault(self, key: str, value: V) -> V:
        return self._by_digest.setdefault(digest(key), value)

    def __len__(self) -> int:
        return len(self._by_digest)

    def values(self) -> Iterator[V]:
        return iter(self._by_digest.values())
