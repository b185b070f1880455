"""Article URLs waiting their turn: the scheduler holds a window of each outlet's, not all of them.

A sitemap index lists every article of the recency window at once, and Scrapy's scheduler keeps
whatever it is given as live ``Request`` objects, each with its headers, meta and the per-request
caches of several middlewares: about 3 KB apiece. On a 20,000-page backfill that was 60-70 MB of
the crawl process, held from the first minute to the end, for URLs that wait their turn anyway.

The spider still decides each URL's fate when it is discovered (claims, duplicates, the recency
window, ``max_articles``), so counts and records do not change. Only the ``Request`` is made later:
each outlet has at most ``window`` article requests between the scheduler and the callback, and
one more is released each time one of them ends (page, redirect hop, failure, drop). Per outlet,
so that a throttled outlet's queue cannot take the place of the others'; first in, first out, the
order sitemaps and feeds list them (newest first).

The URLs waiting are packed: each is one ``bytes`` of its URL and its ``Discovery``'s fields
(``marshal``, the listing's URL as a number shared by everything it listed), unpacked when it
is released (under 1 us each way). As a tuple, a URL string, a ``Discovery`` and its four date
and title strings, a waiting news-sitemap URL took about 540 bytes: 11 MB at the start of a
20,000-URL sitemap, 54 MB for a backfill of 100,000; packed, about 230 (tests/test_backlog.py).
"""

from __future__ import annotations

import dataclasses
import marshal
from collections import Counter, defaultdict, deque

from pipeline.digest_keys import TextNumbers
from pipeline.items import Discovery

Waiting = tuple[str, Discovery]
"""A claimed article URL and how it was found."""


_REST = tuple(f.name for f in dataclasses.fields(Discovery))[2:]
"""``Discovery``'s fields after ``via`` and ``source_url``, packed as they are (strings or None)."""


class _Packer:
    """(url, Discovery) to one ``bytes`` and back, the listing URLs and ``via`` kept once each."""

    __slots__ = ("_texts",)

    def __init__(self) -> None:
        self._texts = TextNumbers()

    def pack(self, url: str, d: Discovery) -> bytes:
        return marshal.dumps((url, self._texts.number(d.via), self._texts.number(d.source_url),
                              *(getattr(d, name) for name in _REST)))  # fmt: skip

    def unpack(self, packed: bytes) -> Waiting:
        url, via, source, *rest = marshal.loads(packed)
        return url, Discovery(self._texts[via], self._texts[source], *rest)


class ArticleBacklog:
    """Claimed article URLs per outlet, released into the scheduler ``window`` at a time.

    ``window = 0`` turns it off: every URL is let through at once (the shared Redis frontier,
    or a JOBDIR disk queue, already keeps the frontier out of memory).
    """

    def __init__(self, window: int) -> None:
        self.window = max(0, window)
        self._waiting: defaultdict[str, deque[bytes]] = defaultdict(deque)
        self._packer = _Packer()
        self._out: Counter[str] = Counter()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def out(self, outlet: str) -> int:
        """Article requests of ``outlet`` sent and not ended yet."""
        return self._out[outlet]

    def admit(self, outlet: str, url: str, discovery: Discovery) -> bool:
        """True when the request for ``url`` may be made now; else it waits its turn here.

        An outlet with URLs already waiting sends none ahead of them, so order is kept.
        """
        if not self.window:
            return True
        if self._out[outlet] < self.window and not self._waiting[outlet]:
            self._out[outlet] += 1
            return True
        self._waiting[outlet].append(self._packer.pack(url, discovery))
        self._size += 1
        return False

    def hold(self, outlet: str) -> None:
        """A request sent outside ``admit`` (a redirect's next hop) takes a place of its own."""
        if self.window:
            self._out[outlet] += 1

    def ended(self, outlet: str) -> None:
        """One of ``outlet``'s requests reached its callback or errback, or was dropped."""
        if self._out[outlet] > 0:
            self._out[outlet] -= 1

    def release(self, outlet: str) -> list[Waiting]:
        """The URLs of ``outlet`` that fit in its window now, oldest first; each takes a place."""
        waiting, taken = self._waiting.get(outlet), []
        while waiting and self._out[outlet] < self.window:
            taken.append(self._packer.unpack(waiting.popleft()))
            self._out[outlet] += 1
        self._size -= len(taken)
        return taken

    def reopen(self) -> list[tuple[str, Waiting]]:
        """Start every window afresh and release each outlet's first URLs.

        For a spider gone idle with URLs still waiting: nothing is in flight then, so a place
        that was never given back (a request some middleware swallowed without an errback) is not
        allowed to stall its outlet for the rest of the run.
        """
        self._out.clear()
        return [(outlet, waiting) for outlet in list(self._waiting) for waiting in self.release(outlet)]
