"""Item pipeline stage 3: URL, exact-text and near-duplicates, and updates, recorded rather than dropped."""

from __future__ import annotations

import asyncio
import logging
from array import array
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
from scrapy.crawler import Crawler

from pipeline import near_dupes
from pipeline.digest_keys import DigestIndex, PackedStrings, StrByDigest, TextNumbers, digest
from pipeline.items import Duplicate, ExtractedArticle
from pipeline.urls import article_id_for, url_key
from storage import near_index
from storage.connection import ArchiveError, opened
from storage.queries import known_texts
from storage.schema import migrate, transaction
from storage.sql import NO_TIME, micros_of, utc_from_micros

logger = logging.getLogger(__name__)

DEDUPE_WINDOW_DAYS = 30.0
"""Exact copies are looked for among articles first seen this many days back. Syndicated agency
text is republished within hours or days; 30 days also catches late re-posts."""


NEAR_DUP_BATCH = 256
"""Articles looked up in the near-duplicate index together (setting SPORTNEWS_NEAR_DUP_BATCH): one
archive open (about 40 ms with its migration check and close) and one join per batch. The join
streams the whole index once whatever the batch size (about 30 ms at 100,000 stored articles), so
both costs per article fall with the batch: benchmarks/dedupe.py measures the step at this size.
Two extraction workers yield about 40 articles/s, so during a busy crawl a batch holds what
arrived within NEAR_DUP_WAIT_SECONDS (about 200). An archive open that writes also checkpoints on
close (0.3-0.5 s measured in benchmarks/throughput.py), which is why batches are this large."""

NEAR_DUP_WAIT_SECONDS = 5.0
"""Longest an article waits for its near-duplicate batch to fill (SPORTNEWS_NEAR_DUP_WAIT_SECONDS).
The store stage writes every 15 s anyway, so five seconds more before it cost nothing visible."""

BACKFILL_PAGE = 500
"""Articles read per query when indexing an archive made before the index existed."""


@dataclass(frozen=True)
class NearDupSettings:
    """The near-duplicate knobs, resolved from settings once (see pipeline/near_dupes.py for why)."""

    near_threshold: float = near_dupes.NEAR_DUP_THRESHOLD
    revision_threshold: float = near_dupes.REVISION_THRESHOLD
    min_words: int = near_dupes.MIN_WORDS
    batch_size: int = NEAR_DUP_BATCH
    wait_seconds: float = NEAR_DUP_WAIT_SECONDS
    enabled: bool = True


@dataclass(frozen=True)
class Verdict:
    """What the near-duplicate layer decided for one article."""

    kind: str
    """new (an original), near (a copy of another outlet's), revision (a version of a stored
    record of the same outlet, or of itself when re-fetched with new text), short (not looked up)."""
    target: str | None = None
    """For near: the earliest copy's article_id; for revision: the record it folds into."""
    similarity: float | None = None


@dataclass(frozen=True, slots=True)
class Original:
    """The first article seen with a given text, as ``Originals`` hands it out."""

    article_id: str
    outlet: str
    url: str
    published_at: datetime | None
    """In UTC."""


class Originals:
    """content_hash -> its first article: one row per stored text of the run and of the window.

    Packed like the crawl's other memories (pipeline/digest_keys.py says why): the text's digest
    in a ``DigestIndex``, the article id in a ``PackedStrings``, the URL as a number in the stage's
    shared ``PackedStrings`` of URLs, the outlet as a number and the time as microseconds: about 60
    bytes a text besides its URL, where the objects it replaces held about 250.
    """

    __slots__ = ("_ids", "_index", "_outlet_of", "_outlets", "_published", "_url_rows", "urls")

    def __init__(self, urls: PackedStrings) -> None:
        self.urls = urls
        self._index = DigestIndex()
        self._ids = PackedStrings()
        self._url_rows = array("q")
        self._outlets = TextNumbers()
        self._outlet_of = array("I")
        self._published = array("q")

    def get(self, content_hash: str) -> Original | None:
        row = self._index.find(digest(content_hash))
        if row is None:
            return None
        micros = self._published[row]
        return Original(self._ids[row], self._outlets[self._outlet_of[row]], self.urls[self._url_rows[row]],
                        None if micros == NO_TIME else utc_from_micros(micros))  # fmt: skip

    def __contains__(self, content_hash: object) -> bool:
        return isinstance(content_hash, str) and self._index.find(digest(content_hash)) is not None

    def put(self, content_hash: str, article_id: str, outlet: str, url_row: int, published: datetime | None) -> None:
        """Make this article the text's original, whether the text had one or not."""
        self._outlet_of.append(self._outlets.number(outlet))
        self._url_rows.append(url_row)
        self._published.append(micros_of(published))
        self._index.put(digest(content_hash), self._ids.add(article_id))

    def __len__(self) -> int:
        return len(self._index)


def _when(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class DedupePipeline:
    """Decides, for each extracted article, whether it is new, a copy, or an update.

    - Same canonical URL as an article already stored under another URL (an AMP page whose
      rel=canonical names the main page): a ``Duplicate`` of kind ``url``.
    - Same normalized text as an article of the same outlet: a ``Duplicate`` of kind ``exact``.
    - Same text as an article of another outlet (syndication): kept as its own article, linked
      with ``duplicate_of`` to the first copy, because users count which outlets ran a story.
    - Near-same text (MinHash, pipeline/near_dupes.py) as a stored article of the same outlet: a
      revision (an update or a re-post under a new URL), marked ``duplicate_kind='revision'`` so the
      writer folds it into that record; of another outlet: linked to the earliest copy with
      ``duplicate_kind='near'`` and the similarity.
    A re-fetch of a stored article (its feed said it changed) passes through as an update.

    Near-duplicates are looked up in batches in the archive's own index (storage/near_index.py):
    it outlives the process, other crawls see it, and memory holds one batch, not the archive.

    In a crawl the lookup is ``deferred``: the store stage sets it, and runs ``resolve_in`` for its
    batch inside the very transaction that writes the batch's rows. An article then waits for
    nothing here, which matters because Scrapy keeps each item's response (the whole page) counted
    against SCRAPER_SLOT_MAX_ACTIVE_SIZE until the item leaves the last stage: articles held for a
    batch here stopped downloading, and the extraction workers ran dry (benchmarks/throughput.py:
    1.46 of 2 cores busy). It also makes one archive open per batch instead of two, and the index
    entries commit with the articles they describe, so a crawl killed in between leaves no entry
    pointing at an article that was never stored. Without the store stage (tests, the distributed
    ingest) the stage batches on its own: ``NEAR_DUP_BATCH`` articles or ``NEAR_DUP_WAIT_SECONDS``.
    """

    def __init__(self, db_path: str | Path | None, window_days: float = DEDUPE_WINDOW_DAYS,
                 crawler: Crawler | None = None, near: NearDupSettings | None = None,
                 lock_timeout: float = 30.0) -> None:  # fmt: skip
        self.db_path = db_path
        self.window_days = window_days
        self.crawler = crawler
        self.near = near or NearDupSettings()
        self.lock_timeout = lock_timeout
        # url_key -> the URL it was stored under (this run); content_hash -> its first article.
        self.urls = PackedStrings()
        self.by_key = StrByDigest(self.urls)
        self.by_text = Originals(self.urls)
        self._memory: duckdb.DuckDBPyConnection | None = None  # the index when there is no archive
        self._pending: list[tuple[ExtractedArticle, asyncio.Future[object]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()
        self._lock: asyncio.Lock | None = None
        self.deferred = False
        """Set by the store stage: near-duplicate lookups run in its write transaction (resolve_in)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        s = crawler.settings
        near = NearDupSettings(
            near_threshold=s.getfloat("SPORTNEWS_NEAR_DUP_THRESHOLD", near_dupes.NEAR_DUP_THRESHOLD),
            revision_threshold=s.getfloat("SPORTNEWS_REVISION_THRESHOLD", near_dupes.REVISION_THRESHOLD),
            min_words=s.getint("SPORTNEWS_NEAR_DUP_MIN_WORDS", near_dupes.MIN_WORDS),
            batch_size=max(1, s.getint("SPORTNEWS_NEAR_DUP_BATCH", NEAR_DUP_BATCH)),
            wait_seconds=s.getfloat("SPORTNEWS_NEAR_DUP_WAIT_SECONDS", NEAR_DUP_WAIT_SECONDS),
            enabled=s.getbool("SPORTNEWS_NEAR_DUP_ENABLED", True),
        )
        return cls(None, s.getfloat("SPORTNEWS_DEDUPE_WINDOW_DAYS", DEDUPE_WINDOW_DAYS), crawler, near,
                   s.getfloat("SPORTNEWS_LOCK_TIMEOUT", 30.0))  # fmt: skip

    def open_spider(self) -> None:
        spider = self.crawler.spider if self.crawler else None
        self.db_path = self.db_path or getattr(spider, "db_path", None)
        if not self.db_path:
            return
        since = datetime.now(UTC) - timedelta(days=self.window_days)
        with opened(self.db_path, lock_timeout=self.lock_timeout) as con:
            for t in known_texts(con, since):
                if t.content_hash not in self.by_text:
                    url_row = self.urls.add(t.url)
                    self.by_text.put(t.content_hash, t.article_id, t.outlet, url_row, _when(t.published_at))
            if self.near.enabled:
                removed = near_index.prune(con, since, near_dupes.SIGNATURE_VERSION)
                if removed:
                    logger.info("near-duplicate index: %d signatures older than %s days removed", removed,
                                self.window_days)  # fmt: skip
                self.backfill(con, since)

    async def close_spider(self) -> None:
        await self.flush()
        if self._memory is not None:
            self._memory.close()
            self._memory = None

    # -- the persistent index ----------------------------------------------------------------------
    @contextmanager
    def _index(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The archive, opened for one batch; without an archive, an in-memory index for the run."""
        if self.db_path:
            with opened(self.db_path, lock_timeout=self.lock_timeout) as con:
                yield con
            return
        if self._memory is None:
            self._memory = duckdb.connect(":memory:")
            migrate(self._memory)
        yield self._memory

    def backfill(self, con: duckdb.DuckDBPyConnection, since: datetime) -> int:
        """Sign and index the window's articles stored before the index existed (once per archive).

        Costs one signature per article (about 0.5 ms), so a 100,000-article window takes about a
        minute, once; afterwards only articles without a signature (too short to sign) are read.
        """
        done = 0
        after: tuple[datetime, str] | None = None
        while True:
            rows = near_index.unindexed_articles(con, since, BACKFILL_PAGE, after)
            if not rows:
                break
            entries = []
            for article_id, outlet, duplicate_of, chash, published_at, first_seen_at, text in rows:
                tokens = near_dupes.words(text or "")
                if len(tokens) < self.near.min_words:
                    continue
                sig = near_dupes.signature_of_tokens(tokens)
                entries.append(near_index.IndexEntry(article_id, outlet, duplicate_of, chash, published_at,
                                                     first_seen_at, sig, near_dupes.band_hashes(sig)))  # fmt: skip
            with transaction(con):
                done += near_index.add(con, entries, near_dupes.SIGNATURE_VERSION)
            after = (rows[-1][5], rows[-1][0])
        if done:
            logger.info("near-duplicate index: %d stored articles signed and indexed", done)
        return done

    def archive_has(self, key: str) -> str | None:
        """The article_id the archive holds under this URL key (from the spider's archive view)."""
        spider = self.crawler.spider if self.crawler else None
        known = getattr(spider, "known", {}) or {}
        hit = known.get(key)
        return hit[0] if hit else None

    def _stat(self, name: str, n: int = 1) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"sportnews/dedupe/{name}", n)

    async def process_item(self, item: object) -> object:
        if not isinstance(item, ExtractedArticle):
            return item
        verdict = self.first_layer(item)
        if verdict is not item or item.duplicate_kind is not None or item.predates or not self.near.enabled:
            return verdict
        if self.deferred:
            item.near_pending = True
            return item
        return await self._submit(item)

    def first_layer(self, item: ExtractedArticle) -> ExtractedArticle | Duplicate:
        """URL and exact-text duplicates: in memory, for this run and the window's stored texts."""
        key = item.url_key
        article_id = article_id_for(key)
        fetched_key = url_key(item.url)
        stored_row = self.by_key.row_of(key)
        stored_url = None if stored_row is None else self.urls[stored_row]
        # The page names another page as canonical, and that one is already here.
        if key != fetched_key and (stored_url is not None or self.archive_has(key)):
            self._stat("url")
            return Duplicate(item.outlet, item.url, article_id, stored_url or item.canonical_url, "url")
        if stored_url is not None and stored_url != item.url:
            self._stat("url")
            return Duplicate(item.outlet, item.url, article_id, stored_url, "url")
        original = self.by_text.get(item.content_hash)
        published = _when(item.published_at)
        if original is not None and original.article_id != article_id:
            if original.outlet == item.outlet:
                self._stat("exact")
                return Duplicate(item.outlet, item.url, original.article_id, original.url, "exact")
            url_row = stored_row if stored_row is not None else self.urls.add(item.url)
            if published is not None and original.published_at is not None and published < original.published_at:
                # Fetched second but published first: this is the first copy. Users ask "who wrote it
                # first", so arrival order (which outlet a crawl reached first) must not decide.
                item.predates = original.article_id
                self.by_text.put(item.content_hash, article_id, item.outlet, url_row, published)
            else:
                item.duplicate_of, item.duplicate_kind, item.similarity = original.article_id, "exact", 1.0
            self._stat("exact_other_outlet")
        else:
            url_row = stored_row if stored_row is not None else self.urls.add(item.url)
            self.by_text.put(item.content_hash, article_id, item.outlet, url_row, published)
        self.by_key.put_row(key, url_row)
        return item

    # -- near-duplicates: batching -------------------------------------------------------------------
    async def _submit(self, item: ExtractedArticle) -> object:
        """Queue the article for the next batch lookup and wait for its verdict."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.near.batch_size:
            self._start_flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.near.wait_seconds, self._start_flush)
        return await future

    def _start_flush(self) -> None:
        task = asyncio.ensure_future(self.flush())
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def flush(self) -> None:
        """Look up every queued article in one batch and release them with their verdicts."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            batch, self._pending = self._pending, []
            if not batch:
                return
            items = [item for item, _ in batch]
            try:
                verdicts = await asyncio.to_thread(self.resolve, items)
            except (ArchiveError, duckdb.Error) as exc:
                # An index we cannot read must not cost articles: they go on as originals.
                logger.warning("near-duplicate lookup of %d articles failed, stored as new: %s", len(items), exc)
                self._stat("near_errors", len(items))
                verdicts = [Verdict("new")] * len(items)
            for (item, future), verdict in zip(batch, verdicts, strict=True):
                if not future.done():
                    future.set_result(self.apply(item, verdict))

    def resolve_in(self, con: duckdb.DuckDBPyConnection, items: Sequence[ExtractedArticle]) -> None:
        """Deferred lookups: verdicts for ``items`` on the caller's connection, inside its transaction.

        The caller (the store stage's write) commits the index entries with the batch's rows, or
        rolls both back; tried again, the items are looked up afresh.
        """
        for item in items:
            item.duplicate_of = item.duplicate_kind = item.similarity = None
        for item, verdict in zip(items, self.resolve(items, con), strict=True):
            self.apply(item, verdict)
            item.near_pending = False

    def apply(self, item: ExtractedArticle, verdict: Verdict) -> ExtractedArticle:
        """Mark the article with its verdict for the store stage (the writer folds revisions)."""
        self._stat(verdict.kind)
        if verdict.kind in ("near", "revision"):
            item.duplicate_of, item.duplicate_kind, item.similarity = verdict.target, verdict.kind, verdict.similarity
        return item

    # -- near-duplicates: deciding ---------------------------------------------------------------------
    def resolve(self, items: Sequence[ExtractedArticle], con: duckdb.DuckDBPyConnection | None = None) -> list[Verdict]:
        """Verdicts for a batch, in order, and the batch's versions added to the index: one transaction.

        Articles of the batch are matched against the index and against the batch's earlier
        articles, so two copies arriving together are linked like two arriving a day apart. With
        ``con``, the lookup and the index entries use that connection and its open transaction.
        """
        now = datetime.now(UTC)
        since = now - timedelta(days=self.window_days)
        signed_at: list[int] = []
        signatures: list[bytes] = []
        verdicts: list[Verdict] = [Verdict("short")] * len(items)
        for i, item in enumerate(items):
            if item.minhash is not None and item.near_words is not None:  # made by the extraction worker
                n_words, sig = item.near_words, item.minhash
            else:
                tokens = near_dupes.words(item.text)
                n_words, sig = len(tokens), near_dupes.signature_of_tokens(tokens)
            if n_words >= self.near.min_words:
                signed_at.append(i)
                signatures.append(sig)
        if not signed_at:
            return verdicts
        matrix = near_dupes.stacked(signatures)
        band_rows = near_dupes.band_hash_rows(matrix)
        signed = list(zip(signed_at, signatures, band_rows.tolist(), strict=True))
        outer = con is not None  # the caller's transaction holds our index entries
        index: AbstractContextManager[duckdb.DuckDBPyConnection] = nullcontext(con) if outer else self._index()
        with index as con:
            keep = self._deciders(items, signed, matrix)
            found = near_index.candidates(con, band_rows, since, near_dupes.SIGNATURE_VERSION,
                                          near_dupes.MIN_SHARED_BANDS, keep)  # fmt: skip
            stored: dict[int, list[near_index.Candidate]] = {}
            for c in found:
                stored.setdefault(signed[c.query][0], []).append(c)
            # The batch's own index: the batch's rows sharing bands, matched as the archive's are (on the
            # hash alone, which includes the band number); a row's entry, once decided, is a candidate
            # of the rows decided after it.
            sharing = near_dupes.sharing_rows(band_rows, near_dupes.MIN_SHARED_BANDS)
            entry_of: dict[int, int] = {}  # row of ``signed`` -> position of its entry in ``entries``
            entries: list[near_index.IndexEntry] = []
            # Earliest-published first, so that of two copies arriving together the later links to the earlier.
            far = datetime.max.replace(tzinfo=UTC)
            for row in sorted(range(len(signed)), key=lambda r: (_when(items[signed[r][0]].published_at) or far, r)):
                i, sig, bands = signed[row]
                item = items[i]
                pool = stored.get(i, [])
                if close := sorted(entry_of[r] for r in sharing.get(row, ()) if r in entry_of):
                    pool = pool + [
                        near_index.Candidate(i, e.article_id, e.outlet, e.root_id, e.content_hash, e.published_at,
                                             e.first_seen_at, e.signature)
                        for e in (entries[n] for n in close)
                    ]  # fmt: skip
                verdict, entry = self.decide(item, sig, bands, pool, now)
                verdicts[i] = verdict
                if entry is not None:
                    entry_of[row] = len(entries)
                    entries.append(entry)
            if entries:
                with nullcontext() if outer else transaction(con):
                    near_index.add(con, entries, near_dupes.SIGNATURE_VERSION)
        return verdicts

    def _deciders(self, items: Sequence[ExtractedArticle], signed: Sequence[tuple[int, bytes, list[int]]],
                  queried: np.ndarray) -> near_index.Keep:  # fmt: skip
        """Which stored versions sharing bands with a query can change ``decide``'s verdict: those at
        or above the lower of the two thresholds, and the versions of the item's own record (a
        re-fetch is a revision of it whatever it resembles). The rest are never read whole. ``queried``
        holds the queries' signatures ``stacked``, row for row."""
        floor = min(self.near.revision_threshold, self.near.near_threshold)
        # Each record a query is a version of, numbered, and each (record, query) pair as one integer.
        number: dict[str, int] = {}
        owned: list[int] = []
        for q, (i, _, _) in enumerate(signed):
            for record in {article_id_for(items[i].url_key), self.archive_has(items[i].url_key)} - {None}:
                owned.append(number.setdefault(str(record), len(number)) * len(signed) + q)
        owned_pairs = np.unique(np.array(owned, dtype=np.int64))

        def keep(queries: np.ndarray, rows: np.ndarray, article_ids: list[str], signatures: list[bytes]) -> np.ndarray:
            # Each pair's two signatures taken from the two stacked matrices: no bytes copied per pair.
            close = near_dupes.stacked_similarities(queried[queries], near_dupes.stacked(signatures)[rows]) >= floor
            # A pair of a query and a version of its own record, looked up as one integer per pair: a mask
            # over all the pairs for each such version cost pairs x re-fetches (a scheduled crawl's batch
            # re-fetches hundreds of stored articles).
            record_of = np.fromiter((number.get(a, -1) for a in article_ids), dtype=np.int64, count=len(article_ids))
            pair_records = record_of[rows]
            if (mine := pair_records >= 0).any():
                close[mine] |= np.isin(pair_records[mine] * len(signed) + queries[mine], owned_pairs)
            return close

        return keep

    def decide(
        self,
        item: ExtractedArticle,
        sig: bytes,
        bands: list[int],
        pool: Sequence[near_index.Candidate],
        now: datetime,
    ) -> tuple[Verdict, near_index.IndexEntry | None]:
        """One article against its candidates: the verdict, and the index entry of its version."""
        article_id = article_id_for(item.url_key)
        published = _when(item.published_at)

        def entry(record: str, root: str | None) -> near_index.IndexEntry:
            return near_index.IndexEntry(record, item.outlet, root, item.content_hash, published, now, sig, bands)

        # The archive's record for this URL: itself, or the record a revision under it was folded into.
        record = self.archive_has(item.url_key) or article_id
        own = [c for c in pool if c.article_id in (article_id, record)]
        if own or record != article_id:
            # A re-fetch of a stored article: a new version of its record, whatever it now resembles.
            if any(c.content_hash == item.content_hash for c in own):
                return Verdict("unchanged"), None
            sim = max((near_dupes.similarity(sig, c.signature) for c in own), default=None)
            root = next((c.root_id for c in own if c.root_id), None)
            return Verdict("revision", record, sim), entry(record, root)
        scored = [(near_dupes.similarity(sig, c.signature), c) for c in pool]
        same = [(s, c) for s, c in scored if c.outlet == item.outlet and s >= self.near.revision_threshold]
        if same:
            sim, best = max(same, key=lambda sc: (sc[0], _order(sc[1])))
            return Verdict("revision", best.article_id, sim), entry(best.article_id, best.root_id)
        other = [(s, c) for s, c in scored if c.outlet != item.outlet and s >= self.near.near_threshold]
        if other:
            earliest = min(other, key=lambda sc: _order(sc[1]))[1]
            root = earliest.root_id or earliest.article_id
            sim = max(s for s, c in other if (c.root_id or c.article_id) == root)
            return Verdict("near", root, sim), entry(article_id, root)
        return Verdict("new"), entry(article_id, None)


def _order(c: near_index.Candidate) -> tuple[datetime, datetime]:
    """Earliest first: by publication time (unknown ones last), then by when first seen."""
    far = datetime.max.replace(tzinfo=UTC)
    return (c.published_at or far, c.first_seen_at)
