"""Near-duplicates and revisions: signatures, thresholds, the persistent index, folding updates."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks.dedupe_texts import TEXTS
from benchmarks.make_dedupe_pairs import PAIRS_FILE, load_pairs
from pipeline import near_dupes
from pipeline.dedupe_stage import DedupePipeline, NearDupSettings, Verdict
from pipeline.items import Discovery, Duplicate, ExtractedArticle, Reject
from pipeline.store_stage import article_row
from pipeline.text import content_hash
from pipeline.urls import article_id_for, url_key
from storage import near_index
from storage.connection import opened
from storage.writer import ArchiveWriter

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC).replace(microsecond=0)  # inside the index window whenever the tests run
DERBY = "\n".join(TEXTS[0].paragraphs)  # an Inter-Milan report
DERBY_OTHER = "\n".join(TEXTS[1].paragraphs)  # another outlet's own report of the same match
UPDATE = "AGGIORNAMENTO ORE 23:15 - La società ha confermato la notizia in serata con un comunicato ufficiale."


def item(outlet: str, url: str, text: str, published: str | None = "2026-03-04T10:00:00+01:00",
         modified: str | None = None, title: str = "Titolo") -> ExtractedArticle:  # fmt: skip
    return ExtractedArticle(
        outlet=outlet, url=url, canonical_url=url, url_key=url_key(url), title=title, authors=[],
        published_at=published, published_raw=published, published_source="json-ld", modified_at=modified,
        description=None, section=None, tags=[], image=None, text=text, language="it", language_prob=0.99,
        word_count=len(text.split()), content_hash=content_hash(text), page_kind="article",
        fetched_at=NOW.isoformat(), http_status=200, raw_html=f"<p>{text}</p>".encode(), content_type="text/html",
        discovery=Discovery("feed", "https://x.it/rss"),
    )  # fmt: skip


def store(db: Path, *items: ExtractedArticle) -> None:
    ArchiveWriter(db).write_batch([article_row(i, "r1", NOW) for i in items])


def rows(db: Path, sql: str) -> list[tuple]:
    with opened(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def stage(db: Path | None, **settings: object) -> DedupePipeline:
    near = replace(NearDupSettings(), **settings)  # type: ignore[arg-type]
    return DedupePipeline(db, near=near)


# -- signatures ----------------------------------------------------------------------------------------
def test_signature_is_a_pure_function_of_the_folded_text() -> None:
    a = near_dupes.minhash_signature(DERBY)
    assert isinstance(a, bytes) and len(a) == 4 * (near_dupes.NUM_PERM + 1)
    assert a == near_dupes.minhash_signature(DERBY)
    # Case, punctuation and line breaks are folded like the exact hash folds them.
    assert near_dupes.minhash_signature(DERBY.upper().replace(",", " ").replace("\n", " ")) == a
    assert near_dupes.shingle_count(a) == len(set(zip(*[near_dupes.words(DERBY)[i:] for i in range(5)], strict=False)))


def test_signature_values_are_datasketchs_own() -> None:
    """The numpy signature is datasketch's affine32 MinHash, bit for bit (stored signatures stay valid)."""
    from datasketch import MinHash

    texts = [DERBY, DERBY + "\n" + UPDATE, "uno due tre", "", " ".join(f"parola{i}" for i in range(3000))]
    for text in texts:
        hashes = near_dupes.shingle_hashes(near_dupes.words(text))
        m = MinHash(num_perm=near_dupes.NUM_PERM, seed=near_dupes.SEED, scheme="affine32", hashfunc=int)
        if len(hashes):
            m.update_batch(hashes.tolist())
        assert near_dupes.signature_values(near_dupes.minhash_signature(text)).tolist() == m.hashvalues.tolist()
        assert near_dupes.lean(near_dupes.minhash_signature(text)).jaccard(m) == 1.0


def test_the_crawl_path_does_not_import_scipy() -> None:
    """datasketch's package import brings SciPy (52 MB resident per process): workers must not pay it."""
    code = ("import sys, pipeline.worker, pipeline.dedupe_stage\n"
            "print('scipy' in sys.modules, 'datasketch' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_signature_is_the_same_in_another_process() -> None:
    """Stored signatures are compared with new ones from other runs: no per-process hash seed."""
    code = "import sys; from pipeline.near_dupes import minhash_signature; print(minhash_signature(sys.argv[1]).hex())"
    out = subprocess.run([sys.executable, "-c", code, DERBY], capture_output=True, text=True, check=True, cwd=ROOT)
    assert bytes.fromhex(out.stdout.strip()) == near_dupes.minhash_signature(DERBY)


def test_similarity_is_containment_so_added_lines_do_not_hide_a_copy() -> None:
    a = near_dupes.minhash_signature(DERBY)
    grown = near_dupes.minhash_signature(DERBY + "\n" + UPDATE + "\n" + UPDATE.replace("23:15", "23:45") * 3)
    assert near_dupes.similarity(a, grown) >= 0.9
    assert near_dupes.jaccard(a, grown) < near_dupes.similarity(a, grown)
    assert near_dupes.similarity(a, near_dupes.minhash_signature(DERBY_OTHER)) < 0.1
    assert near_dupes.lean(a).jaccard(near_dupes.lean(grown)) == near_dupes.jaccard(a, grown)


def test_similarities_at_once_are_similarity_float_for_float() -> None:
    """The vectorized form decides thresholds alike: every value equal, not close."""
    rng = np.random.default_rng(5)
    texts = [near_dupes.minhash_signature(t) for t in (DERBY, DERBY_OTHER, DERBY + "\n" + UPDATE, "")]
    pairs = [(x, y) for x in texts for y in texts]
    for _ in range(300):  # signatures agreeing on a random share of values, with random shingle counts
        a = rng.integers(0, 2**32, near_dupes.NUM_PERM + 1, dtype=np.uint32)
        other = rng.integers(0, 2**32, a.size, dtype=np.uint32)
        b = np.where(rng.random(a.size) < rng.random(), a, other)
        a[-1], b[-1] = rng.integers(0, 3000, 2)
        pairs.append((a.astype("<u4").tobytes(), b.astype("<u4").tobytes()))
    left, right = [x for x, _ in pairs], [y for _, y in pairs]
    expected = [near_dupes.similarity(x, y) for x, y in zip(left, right, strict=True)]
    assert near_dupes.similarities(left, right).tolist() == expected
    assert {0.0, 1.0} <= set(expected) and len(set(expected)) > 100  # zeros, ones and many values between


def test_equal_bands_give_equal_hashes() -> None:
    a = near_dupes.minhash_signature(DERBY)
    b = bytearray(a)
    b[0:4] = (int.from_bytes(a[0:4], "little") ^ 1).to_bytes(4, "little")  # band 0 differs
    ha, hb = near_dupes.band_hashes(a), near_dupes.band_hashes(bytes(b))
    assert len(ha) == near_dupes.BANDS and ha[0] != hb[0] and ha[1:] == hb[1:]
    assert all(0 <= h < 2**32 for h in ha) and len(set(ha)) == near_dupes.BANDS  # UINTEGER, one per band


def test_folded_band_hashes_keep_both_halves() -> None:
    """The fold takes the high half into account: hashes differing only there stay apart."""
    h = np.array([0x1234_5678_0000_0001, 0x0000_0000_0000_0001, 2**64 - 1, 2**63 - 1], dtype=np.uint64)
    folded = near_dupes.fold_band_hash(h).tolist()
    assert folded == [0x1234_5679, 1, 0, 0x8000_0000]
    assert near_dupes.fold_band_hash(h.view(np.int64)).tolist() == folded  # BIGINT-stored, signed


def test_band_hash_rows_are_band_hashes_row_for_row() -> None:
    sigs = [near_dupes.minhash_signature(text) for text in (DERBY, DERBY_OTHER, DERBY + "\n" + UPDATE)]
    assert near_dupes.band_hash_rows(near_dupes.stacked(sigs)).tolist() == [near_dupes.band_hashes(s) for s in sigs]


def test_rows_sharing_bands_in_a_batch_are_counted_as_the_index_join_counts_them() -> None:
    """Each pair of rows with at least min_shared equal hashes, wherever the hashes stand, counted with
    their repeats (a hash twice in one row counts twice against a row that has it once)."""
    bands = np.array([
        [1, 2, 3, 4],
        [1, 2, 9, 9],  # shares 1 and 2 with row 0
        [5, 6, 7, 1],  # shares only 1 with rows 0 and 1
        [9, 8, 5, 6],  # shares 9 twice with row 1, 5 and 6 with row 2
        [10, 11, 12, 13],  # shares nothing
    ], dtype=np.uint32)  # fmt: skip
    assert near_dupes.sharing_rows(bands, 2) == {0: [1], 1: [0, 3], 2: [3], 3: [1, 2]}
    assert near_dupes.sharing_rows(bands, 1) == {0: [1, 2], 1: [0, 2, 3], 2: [0, 1, 3], 3: [1, 2]}
    assert near_dupes.sharing_rows(bands, 3) == {}


# -- thresholds: just below, at, just above ----------------------------------------------------------------
def crafted(agree: int, count: int = 200) -> tuple[bytes, bytes]:
    """Two signatures with ``agree`` equal leading values (whole bands first) and ``count`` shingles each."""
    a = np.arange(1, near_dupes.NUM_PERM + 1, dtype="<u4")
    b = a.copy()
    b[agree:] += 10_000
    tail = np.array([count], dtype="<u4").tobytes()
    return a.tobytes() + tail, b.tobytes() + tail


def candidate(sig: bytes, outlet: str, article_id: str = "stored", root: str | None = None) -> near_index.Candidate:
    return near_index.Candidate(0, article_id, outlet, root, "h-stored", NOW - timedelta(hours=2), NOW, sig)


def verdict(pipe: DedupePipeline, agree: int, same_outlet: bool) -> Verdict:
    stored, new = crafted(agree)
    it = item("curvasud", "https://x.it/calcio/nuovo", DERBY)
    pool = [candidate(stored, "curvasud" if same_outlet else "tribuna")]
    return pipe.decide(it, new, near_dupes.band_hashes(new), pool, NOW)[0]


@pytest.mark.parametrize("same_outlet", [False, True])
def test_threshold_just_below_at_and_just_above(same_outlet: bool) -> None:
    """At a threshold equal to a pair's similarity the pair is a duplicate; one value less is not."""
    kind = "revision" if same_outlet else "near"
    for agree in (40, 60, 90):
        at = near_dupes.similarity(*crafted(agree))
        knob = "revision_threshold" if same_outlet else "near_threshold"
        pipe = stage(None, **{knob: at})
        assert verdict(pipe, agree - 1, same_outlet).kind == "new"  # just below
        v = verdict(pipe, agree, same_outlet)  # at
        assert (v.kind, v.target, v.similarity) == (kind, "stored", at)
        assert verdict(pipe, agree + 1, same_outlet).kind == kind  # just above


@pytest.mark.parametrize(
    ("threshold", "same_outlet"),
    [(near_dupes.NEAR_DUP_THRESHOLD, False), (near_dupes.REVISION_THRESHOLD, True)],
)
def test_default_thresholds_sit_between_neighbouring_similarities(threshold: float, same_outlet: bool) -> None:
    sims = [near_dupes.similarity(*crafted(k)) for k in range(near_dupes.NUM_PERM + 1)]
    k = next(i for i, s in enumerate(sims) if s >= threshold)
    assert sims[k - 1] < threshold <= sims[k]
    pipe = stage(None)
    assert verdict(pipe, k - 1, same_outlet).kind == "new"
    assert verdict(pipe, k, same_outlet).kind == ("revision" if same_outlet else "near")
    assert verdict(pipe, k + 1, same_outlet).kind == ("revision" if same_outlet else "near")


def test_a_revision_of_the_same_outlet_wins_over_a_copy_elsewhere() -> None:
    stored, new = crafted(100)
    pipe = stage(None)
    it = item("curvasud", "https://x.it/calcio/nuovo", DERBY)
    pool = [candidate(stored, "tribuna", "other"), candidate(stored, "curvasud", "mine")]
    assert pipe.decide(it, new, near_dupes.band_hashes(new), pool, NOW)[0].target == "mine"


@pytest.mark.parametrize(("words", "looked_up"), [(39, False), (40, True), (41, True)])
def test_min_words_just_below_at_and_above(words: int, looked_up: bool) -> None:
    text = " ".join(f"parola{i}" for i in range(words))
    pipe = stage(None, min_words=40)
    first = pipe.resolve([item("curvasud", "https://x.it/calcio/a", text)])[0]
    copy = pipe.resolve([item("tribuna", "https://y.it/news/b", text)])[0]
    assert first.kind == ("new" if looked_up else "short")
    assert copy.kind == ("near" if looked_up else "short")


# -- the persistent index, end to end through the writer ----------------------------------------------------
def run(pipe: DedupePipeline, *items: ExtractedArticle) -> list[object]:
    async def go() -> list[object]:
        return list(await asyncio.gather(*(pipe.process_item(i) for i in items)))

    return asyncio.run(go())


def test_update_under_a_new_url_becomes_one_record_with_two_revisions(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    first = item("curvasud", "https://x.it/calcio/derby-inter-milan", DERBY, modified="2026-03-04T10:30:00+01:00")
    store(db, first)
    DedupePipeline(db).open_spider()  # indexes the stored article (an archive from before the index)
    update = item("curvasud", "https://x.it/calcio/derby-inter-milan-aggiornamento", DERBY + "\n" + UPDATE,
                  published="2026-03-04T18:00:00+01:00", modified="2026-03-04T23:15:00+01:00")  # fmt: skip
    pipe = DedupePipeline(db)
    pipe.open_spider()
    (out,) = run(pipe, update)
    assert isinstance(out, ExtractedArticle)
    assert (out.duplicate_kind, out.duplicate_of) == ("revision", article_id_for(first.url_key))
    assert out.similarity is not None and out.similarity >= near_dupes.REVISION_THRESHOLD
    store(db, out)
    (rec,) = rows(db, "SELECT article_id, url, text, published_at, modified_at, revisions FROM articles")
    assert rec[0] == article_id_for(first.url_key) and rec[1] == update.url and rec[2].endswith(UPDATE)
    assert rec[3] == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # first publication
    assert rec[4] == datetime(2026, 3, 4, 22, 15, tzinfo=UTC)  # latest modification
    assert rec[5] == 2
    dup = rows(db, "SELECT url, duplicate_of, duplicate_of_url, kind, similarity FROM duplicates")
    assert dup == [(first.url, rec[0], update.url, "revision", out.similarity)]
    assert rows(db, "SELECT url FROM pages") == [(update.url,)]


def test_an_older_version_found_later_keeps_the_newer_text(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    newer = item("curvasud", "https://x.it/calcio/b", DERBY + "\n" + UPDATE, published="2026-03-04T18:00:00+01:00")
    older = item("curvasud", "https://x.it/calcio/a", DERBY, published="2026-03-04T10:00:00+01:00")
    pipe = stage(db)
    pipe.open_spider()
    out = run(pipe, newer)
    out += run(pipe, older)
    store(db, *out)  # type: ignore[arg-type]
    (rec,) = rows(db, "SELECT url, text, published_at, revisions FROM articles")
    assert rec[0] == newer.url and rec[1].endswith(UPDATE) and rec[3] == 2
    assert rec[2] == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert rows(db, "SELECT url, duplicate_of_url, kind FROM duplicates") == [(older.url, newer.url, "revision")]


def test_refetch_of_a_folded_url_updates_the_record_it_was_folded_into(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    a = item("curvasud", "https://x.it/calcio/a", DERBY)
    b = item("curvasud", "https://x.it/calcio/b", DERBY + "\n" + UPDATE, published="2026-03-04T18:00:00+01:00")
    pipe = stage(db)
    pipe.open_spider()
    store(db, *run(pipe, a))  # type: ignore[arg-type]
    store(db, *run(pipe, b))  # type: ignore[arg-type]
    record = article_id_for(a.url_key)
    # Next run: the spider's archive view maps b's URL to the record (its url column is b now).
    pipe = stage(db)
    pipe.open_spider()
    pipe.archive_has = lambda key: record if key in (a.url_key, b.url_key) else None  # type: ignore[method-assign]
    again = replace(b, text=b.text + "\nUltim'ora: squalificato l'allenatore.", modified_at="2026-03-05T09:00:00+01:00")
    again.content_hash = content_hash(again.text)
    (out,) = run(pipe, again)
    assert (out.duplicate_kind, out.duplicate_of) == ("revision", record)  # type: ignore[union-attr]
    store(db, out)  # type: ignore[arg-type]
    assert rows(db, "SELECT article_id, url, revisions FROM articles") == [(record, b.url, 3)]
    assert sorted(rows(db, "SELECT url, duplicate_of_url FROM duplicates")) == [
        (a.url, b.url),
        (f"{b.url}#revision-2", b.url),
    ]


def test_same_url_refetched_with_new_text_counts_a_revision(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    url = "https://x.it/calcio/derby"
    pipe = stage(db)
    pipe.open_spider()
    store(db, *run(pipe, item("curvasud", url, DERBY)))  # type: ignore[arg-type]
    pipe = stage(db)
    pipe.open_spider()
    (out,) = run(pipe, item("curvasud", url, DERBY + "\n" + UPDATE, modified="2026-03-04T23:15:00+01:00"))
    assert (out.duplicate_kind, out.duplicate_of) == ("revision", article_id_for(url_key(url)))  # type: ignore[union-attr]
    store(db, out)  # type: ignore[arg-type]
    assert rows(db, "SELECT revisions, text LIKE '%AGGIORNAMENTO%', duplicate_of FROM articles") == [(2, True, None)]
    assert rows(db, "SELECT url, duplicate_of_url, kind FROM duplicates") == [(f"{url}#revision-1", url, "revision")]


def test_copies_on_other_outlets_link_to_the_earliest_and_persist_across_runs(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    agency = "\n".join(TEXTS[0].paragraphs[1:])
    original = item("curvasud", "https://x.it/calcio/derby", DERBY, published="2026-03-04T10:00:00+01:00")
    pipe = stage(db)
    pipe.open_spider()
    store(db, *run(pipe, original))  # type: ignore[arg-type]
    # Another run, another process's view: only the archive connects them.
    pipe = stage(db)
    pipe.open_spider()
    copy1 = item("tribuna", "https://t.it/news/derby", "(ANSA) Il derby va all'Inter.\n" + agency,
                 published="2026-03-04T11:00:00+01:00")  # fmt: skip
    copy2 = item("rosanera", "https://r.it/calcio/derby.shtml", agency + "\n© RIPRODUZIONE RISERVATA",
                 published="2026-03-04T12:00:00+01:00")  # fmt: skip
    other_report = item("rosanera", "https://r.it/calcio/pagelle.shtml", DERBY_OTHER)
    out = run(pipe, copy1, copy2, other_report)
    store(db, *out)  # type: ignore[arg-type]
    got = dict((r[0], r[1:]) for r in rows(db, "SELECT url, duplicate_of, duplicate_kind, similarity FROM articles"))
    root = article_id_for(original.url_key)
    assert got[original.url] == (None, None, None)
    assert got[copy1.url][:2] == (root, "near") and got[copy1.url][2] >= near_dupes.NEAR_DUP_THRESHOLD
    assert got[copy2.url][:2] == (root, "near")
    assert got[other_report.url] == (None, None, None)  # same match, own words: not a copy
    assert rows(db, "SELECT count(*) FROM duplicates") == [(0,)]


@pytest.mark.parametrize("same_run", [True, False])
def test_an_exact_copy_fetched_later_but_published_first_becomes_the_original(tmp_path: Path, same_run: bool) -> None:
    """Who wrote it first is decided by publication time, not by which outlet the crawl reached first."""
    db = tmp_path / "a.duckdb"
    later = item("tribuna", "https://t.it/news/derby", DERBY, published="2026-03-04T12:00:00+01:00")
    first = item("curvasud", "https://x.it/calcio/derby", DERBY, published="2026-03-04T10:00:00+01:00")
    third = item("rosanera", "https://r.it/calcio/derby", DERBY, published="2026-03-04T13:00:00+01:00")
    pipe = stage(db)
    pipe.open_spider()
    store(db, *run(pipe, later))  # type: ignore[arg-type]
    if not same_run:  # another run: only the archive connects them
        pipe = stage(db)
        pipe.open_spider()
    out = run(pipe, first)
    assert isinstance(out[0], ExtractedArticle) and out[0].predates == article_id_for(later.url_key)
    store(db, *out)  # type: ignore[arg-type]
    store(db, *run(pipe, third))  # type: ignore[arg-type]
    got = dict((r[0], r[1:]) for r in rows(db, "SELECT url, duplicate_of, duplicate_kind, similarity FROM articles"))
    root = article_id_for(first.url_key)
    assert got[first.url] == (None, None, None)
    assert got[later.url] == (root, "exact", 1.0)
    assert got[third.url] == (root, "exact", 1.0)
    index = dict(rows(db, "SELECT article_id, root_id FROM minhash_signatures"))
    assert index[article_id_for(later.url_key)] == root


def test_the_crawl_defers_near_lookups_to_the_write_and_links_the_same(tmp_path: Path) -> None:
    """In a crawl the store stage looks a batch up inside its write: same verdicts, one transaction."""
    from pipeline.store_stage import StorePipeline

    db = tmp_path / "a.duckdb"
    original = item("curvasud", "https://x.it/calcio/derby", DERBY, published="2026-03-04T10:00:00+01:00")
    copy = item("tribuna", "https://t.it/news/derby", "(ANSA) Il derby va all'Inter.\n" + DERBY,
                published="2026-03-04T11:00:00+01:00")  # fmt: skip
    update = item("curvasud", "https://x.it/calcio/derby-2", DERBY + "\n" + UPDATE,
                  published="2026-03-04T10:00:00+01:00")  # fmt: skip
    pipe = stage(db)
    pipe.open_spider()
    pipe.deferred = True
    store_stage = StorePipeline(ArchiveWriter(db), batch_size=100, flush_seconds=3600)
    store_stage.dedupe = pipe

    async def go() -> None:
        for it in (original, copy, update):
            out = await pipe.process_item(it)
            assert out is it and it.near_pending and it.duplicate_of is None  # nothing waited
            await store_stage.process_item(out)
        await store_stage.flush(final=True)

    asyncio.run(go())
    got = dict((r[0], r[1:3]) for r in rows(db, "SELECT url, duplicate_of, duplicate_kind FROM articles"))
    root = article_id_for(original.url_key)
    assert got == {update.url: (None, None), copy.url: (root, "near")}  # the update folded into the original
    assert rows(db, "SELECT revisions FROM articles WHERE article_id = '" + root + "'") == [(2,)]
    assert rows(db, "SELECT count(DISTINCT article_id) FROM minhash_signatures") == [(2,)]


def test_the_write_reports_the_cpu_of_its_near_duplicate_lookup_apart(tmp_path: Path) -> None:
    """The crawl's stats give a write's CPU and the part of it its near-duplicate lookup took, so that
    benchmarks/throughput.py can tell the two apart; a batch with nothing to look up adds none."""
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from pipeline.store_stage import StorePipeline

    db = tmp_path / "a.duckdb"
    pipe = stage(db)
    pipe.open_spider()
    pipe.deferred = True
    crawler = SimpleNamespace(stats=MemoryStatsCollector(SimpleNamespace(settings=Settings())),
                              engine=None)  # fmt: skip
    store_stage = StorePipeline(ArchiveWriter(db), batch_size=100, flush_seconds=3600, crawler=crawler)  # type: ignore[arg-type]
    store_stage.dedupe = pipe
    stats = crawler.stats

    async def write(*items: ExtractedArticle) -> None:
        for it in items:
            await store_stage.process_item(await pipe.process_item(it))
        await store_stage.flush(final=True)

    asyncio.run(write(*(item(f"outlet{n}", f"https://x{n}.it/calcio/derby", DERBY) for n in range(3))))
    write_cpu, lookup_cpu = (stats.get_value(f"sportnews/store/{k}_cpu_seconds") for k in ("write", "lookup"))
    assert stats.get_value("sportnews/store/batches") == 1
    assert 0 < lookup_cpu < write_cpu
    # The write's wall time on its thread holds its CPU time; the wait for the loop is counted apart.
    assert stats.get_value("sportnews/store/write_seconds") >= write_cpu * 0.9
    assert stats.get_value("sportnews/store/write_wait_seconds") >= 0
    rejected = Reject(outlet="curvasud", url="https://x.it/vuota", reason="no_text", detail="empty body")

    async def write_reject() -> None:  # a batch with nothing to look up
        await store_stage.process_item(rejected)
        await store_stage.flush(final=True)

    asyncio.run(write_reject())
    assert stats.get_value("sportnews/store/batches") == 2
    assert stats.get_value("sportnews/store/lookup_cpu_seconds") == lookup_cpu
    assert stats.get_value("sportnews/store/write_cpu_seconds") > write_cpu


def test_copies_in_one_batch_link_to_the_earliest_published() -> None:
    pipe = stage(None)
    copy = item("tribuna", "https://t.it/news/derby", DERBY + "\n" + UPDATE, published="2026-03-04T12:00:00+01:00")
    original = item("curvasud", "https://x.it/calcio/derby", DERBY, published="2026-03-04T10:00:00+01:00")
    v_copy, v_original = pipe.resolve([copy, original])  # the copy arrived first
    assert v_original.kind == "new"
    assert (v_copy.kind, v_copy.target) == ("near", article_id_for(original.url_key))


def test_exact_and_url_duplicates_still_come_first(tmp_path: Path) -> None:
    pipe = stage(None)
    a = item("curvasud", "https://x.it/calcio/derby", DERBY)
    same_text_same_outlet = item("curvasud", "https://x.it/calcio/derby-bis", DERBY)
    same_text_other_outlet = item("tribuna", "https://t.it/news/derby", DERBY)
    out = run(pipe, a)
    out += run(pipe, same_text_same_outlet, same_text_other_outlet)
    assert isinstance(out[1], Duplicate) and out[1].kind == "exact"
    assert isinstance(out[2], ExtractedArticle) and (out[2].duplicate_kind, out[2].similarity) == ("exact", 1.0)


def test_the_window_prunes_the_index(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    pipe = stage(db)
    pipe.open_spider()
    store(db, *run(pipe, item("curvasud", "https://x.it/calcio/derby", DERBY)))  # type: ignore[arg-type]
    copy = item("tribuna", "https://t.it/news/derby", DERBY + "\n" + UPDATE)
    with opened(db) as con:
        assert near_index.counts(con) == (1, near_dupes.BANDS)
        for table in ("minhash_signatures", "minhash_bands", "articles"):
            con.execute(f"UPDATE {table} SET first_seen_at = first_seen_at - INTERVAL 29 DAY")
    pipe = DedupePipeline(db, window_days=30)
    pipe.open_spider()
    assert run(pipe, copy)[0].duplicate_kind == "near"  # type: ignore[union-attr]
    with opened(db) as con:
        for table in ("minhash_signatures", "minhash_bands", "articles"):
            con.execute(f"UPDATE {table} SET first_seen_at = first_seen_at - INTERVAL 2 DAY")
    pipe = DedupePipeline(db, window_days=30)
    pipe.open_spider()
    with opened(db) as con:  # the original, 31 days old, is gone and not signed again; the copy stays
        assert near_index.counts(con) == (1, near_dupes.BANDS)
        assert con.execute("SELECT article_id FROM minhash_signatures").fetchall() == [(article_id_for(copy.url_key),)]


def test_candidates_below_every_threshold_are_never_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A story republished many times: the lookup builds candidates only for what ``keep`` marks, and
    those are the very ones the lookup without ``keep`` gives, in its order. The rows sharing bands
    reach ``keep`` ``chunk_rows`` at a time, each once."""
    db = tmp_path / "a.duckdb"
    stored = [crafted(agree)[1] for agree in (128, 96, 64, 30, 12)]  # 5 versions, less and less alike
    entries = [near_index.IndexEntry(f"a{n}", "curvasud", None, f"h{n}", NOW, NOW, sig, near_dupes.band_hashes(sig))
               for n, sig in enumerate(stored)]  # fmt: skip
    query = crafted(128)[0]
    with opened(db) as con:
        near_index.add(con, entries, near_dupes.SIGNATURE_VERSION)
        args = (con, [near_dupes.band_hashes(query)], NOW - timedelta(days=1), near_dupes.SIGNATURE_VERSION, 1)
        full = near_index.candidates(*args)
        seen: list[list[str]] = []

        def keep(queries: np.ndarray, rows: np.ndarray, article_ids: list[str], signatures: list[bytes]) -> np.ndarray:
            seen.append(article_ids)
            assert len(queries) == len(rows) and set(rows.tolist()) == set(range(len(article_ids)))
            return near_dupes.similarities([query] * len(rows), [signatures[r] for r in rows]) >= 0.5

        built: list[str] = []

        def candidate(query: int, row: tuple[object, ...]) -> near_index.Candidate:
            built.append(str(row[1]))
            return make(query, row)

        make = near_index._candidate
        monkeypatch.setattr(near_index, "_candidate", candidate)
        for chunk_rows in (near_index.SHARING_CHUNK_ROWS, 2):
            seen.clear()
            built.clear()
            kept = near_index.candidates(*args, keep=keep, chunk_rows=chunk_rows)
            assert sorted(built) == ["a0", "a1", "a2"]
            assert sorted(c.article_id for c in full) == ["a0", "a1", "a2", "a3", "a4"]
            assert max(len(ids) for ids in seen) <= chunk_rows
            assert sorted(a for ids in seen for a in ids) == sorted(c.article_id for c in full)  # with signatures alone
            assert kept == [c for c in full if near_dupes.similarity(query, c.signature) >= 0.5]
            assert sorted(c.article_id for c in kept) == ["a0", "a1", "a2"]
        assert len(seen) == 3  # 5 rows, 2 at a time


def test_keep_marks_every_version_of_a_querys_own_record_and_the_close_ones() -> None:
    """``keep`` against the rule it implements, pair by pair: a stored version is kept when it is at or
    above the lower threshold, or when it is a version of the record the query itself re-fetches."""
    rng = np.random.default_rng(11)
    texts = [f"{DERBY} {n}" for n in range(6)]
    items = [item("curvasud", f"https://x.it/calcio/{n}", text) for n, text in enumerate(texts)]
    sigs = [near_dupes.minhash_signature(t) for t in texts]
    signed = [(i, sig, near_dupes.band_hashes(sig)) for i, sig in enumerate(sigs)]
    keep = stage(None)._deciders(items, signed, near_dupes.stacked(sigs))
    own = [article_id_for(it.url_key) for it in items]
    others = [near_dupes.minhash_signature(DERBY_OTHER), near_dupes.minhash_signature(DERBY)]
    for _ in range(20):
        n_rows = int(rng.integers(1, 12))
        article_ids = [own[k] if k < len(own) else f"other{k}" for k in rng.integers(0, 12, n_rows).tolist()]
        signatures = [others[k] for k in rng.integers(0, 2, n_rows).tolist()]
        rows = rng.integers(0, n_rows, 60)
        queries = rng.integers(0, len(items), 60).astype(np.int32)
        expected = [
            near_dupes.similarity(sigs[q], signatures[r]) >= 0.5 or article_ids[r] == own[q]
            for q, r in zip(queries.tolist(), rows.tolist(), strict=True)
        ]
        assert keep(queries, rows, article_ids, signatures).tolist() == expected


def test_a_failing_index_lets_articles_through_as_new(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    pipe = stage(db)
    pipe.open_spider()
    with opened(db) as con:
        con.execute("DROP TABLE minhash_bands")
    (out,) = run(pipe, item("curvasud", "https://x.it/calcio/derby", DERBY))
    assert isinstance(out, ExtractedArticle) and out.duplicate_kind is None


def test_revision_whose_record_is_gone_is_stored_on_its_own(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    orphan = item("curvasud", "https://x.it/calcio/b", DERBY)
    orphan.duplicate_of, orphan.duplicate_kind, orphan.similarity = "missing", "revision", 0.9
    store(db, orphan)
    assert rows(db, "SELECT url, duplicate_of, duplicate_kind, revisions FROM articles") == [
        (orphan.url, None, None, 1)
    ]


# -- the labelled set -------------------------------------------------------------------------------------
def test_labelled_pairs_meet_the_targets() -> None:
    """The committed pairs (benchmarks/make_dedupe_pairs.py): precision >= 0.99, recall >= 0.95."""
    pairs = load_pairs(PAIRS_FILE)
    assert len(pairs) >= 200 and {p["label"] for p in pairs} == {0, 1}
    tp = fp = fn = 0
    for p in pairs:
        a, b = near_dupes.minhash_signature(p["a"]["text"]), near_dupes.minhash_signature(p["b"]["text"])
        candidate = any(x == y for x, y in zip(near_dupes.band_hashes(a), near_dupes.band_hashes(b), strict=True))
        threshold = near_dupes.REVISION_THRESHOLD if p["same_outlet"] else near_dupes.NEAR_DUP_THRESHOLD
        found = candidate and near_dupes.similarity(a, b) >= threshold
        tp += found and p["label"] == 1
        fp += found and p["label"] == 0
        fn += not found and p["label"] == 1
    assert tp / (tp + fp) >= 0.99
    assert tp / (tp + fn) >= 0.95


def test_labelled_pairs_file_is_what_the_generator_makes() -> None:
    out = subprocess.run([sys.executable, "benchmarks/make_dedupe_pairs.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
