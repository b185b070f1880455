"""Near-duplicate text fingerprints: MinHash signatures of word shingles, their LSH bands, similarity."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeline.text import normalize_for_hash

if TYPE_CHECKING:
    from datasketch import LeanMinHash

logger = logging.getLogger(__name__)

SHINGLE_WORDS = 5
"""Words per shingle. 5-word shingles keep two independent reports of the same match apart (they
share names, scores and stock phrases such as "al 45' del primo tempo", but rarely five words in a
row) while an edit only disturbs the shingles that overlap it. On tests/data/dedupe_pairs.jsonl,
3-word shingles raised the hard negatives' similarity to 0.2-0.3 with no gain in recall."""

NUM_PERM = 128
"""MinHash permutations. The standard error of the Jaccard estimate is sqrt(J(1-J)/NUM_PERM), 0.044
at J = 0.5 with 128; datasketch computes a 128-value signature of a 500-word article in about
0.4 ms here (benchmarks/dedupe.py), a third of the 2 ms budget of the dedupe step."""

BANDS = 64
ROWS = 2
MIN_SHARED_BANDS = 2
"""LSH banding: the signature is cut into BANDS bands of ROWS values; two texts become candidates
when at least MIN_SHARED_BANDS bands are equal, with probability 0.98 at Jaccard 0.3 and 0.92 at
0.25 (each band is equal with probability J**ROWS). Every candidate is then checked on the whole
signature, so bands only decide what is looked at. Containment, not Jaccard, decides
(``similarity``): a copy with a paragraph added or another outlet's boilerplate has a containment
of 0.9 and more but a Jaccard down to 0.25 on short articles, which 32 bands of 4 would miss
(0.4 at J = 0.3). Two shared bands rather than one: articles of one outlet share its boilerplate
(J about 0.02), which made one shared band a candidate 2.5% of the time, 60 candidates per article
at 100,000 stored; two bands cut that a hundredfold and changed no verdict on the labelled pairs."""

MIN_WORDS = 40
"""Texts shorter than this (words) are neither looked up nor indexed: below about 40 words (one
short paragraph) a single edited sentence moves the similarity by 0.3 or more, so the estimate
says little, and such stubs are mostly briefs whose copies the exact layer already catches. The
shortest article the worker keeps is 150 characters, about 25 words."""

NEAR_DUP_THRESHOLD = 0.5
"""Similarity at or above which an article of another outlet is a near-duplicate (linked with
``duplicate_of``, kind ``near``): setting SPORTNEWS_NEAR_DUP_THRESHOLD. On the labelled pairs the
cross-outlet negatives (independent reports of one match, rumours about one player, two outlets
quoting one press conference) reach 0.30 and every copy kind but the agency text with both a new
lede and new boilerplate stays above 0.55; 0.5 is the middle of that gap, where precision is 1.0
and recall 0.99. Re-run benchmarks/dedupe.py after changing it."""

REVISION_THRESHOLD = 0.6
"""Similarity at or above which a new URL of the same outlet is a revision of a stored article
(folded into its record): setting SPORTNEWS_REVISION_THRESHOLD. Higher than the near threshold
because folding replaces text: on the labelled pairs two different articles of one outlet wrapped
in the same boilerplate reach 0.54, updates and re-posts start at 0.64; 0.6 keeps both margins."""

SEED = 20260304
"""Seed of the MinHash permutations. Stored signatures are only comparable with signatures made
with the same seed, NUM_PERM and SHINGLE_WORDS: changing any of them needs a rebuilt index
(``SIGNATURE_VERSION``)."""

SIGNATURE_VERSION = 2
"""Bumped when the signature's or the band hashes' definition changes, so stored rows of another
definition are never compared with new ones (a crawl deletes them and signs its window again).
2: the band number mixed into the band hash."""


def _affine32_permutations(seed: int, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of datasketch's ``affine32`` permutations for ``seed``, drawn as datasketch draws them.

    The signature is datasketch's MinHash (scheme "affine32", 2.0): each 32-bit input hash is
    pre-mixed with the MurmurHash3 finalizer, then permuted as ``a * h + b mod 2**32`` with ``a``
    odd, and the minimum is kept per permutation. It is written out here, a dozen lines of numpy,
    because importing datasketch imports SciPy (for its LSH classes, which we do not use): 52 MB of
    resident memory in the crawl process and in every extraction worker, against a 600 MB budget
    for all of them (benchmarks/throughput.py). tests/test_near_dupes.py checks that the values are
    datasketch's own, bit for bit, and ``lean`` still hands a signature to datasketch's API.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_PERM_A, _PERM_B = _affine32_permutations(SEED, NUM_PERM)
# Multipliers of the polynomial that turns SHINGLE_WORDS word hashes into one shingle hash (odd
# 32-bit constants from the golden ratio and MurmurHash3; any odd constants would do).
_MULTIPLIERS = np.array([0x9E3779B1, 0x85EBCA6B, 0xC2B2AE35, 0x27D4EB2F, 0x165667B1, 0xD3A2646C, 0xFD7046C5],
                        dtype=np.uint32)  # fmt: skip
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)
_BAND_SALT = np.uint64(0xC2B2AE3D27D4EB4F)


def words(text: str) -> list[str]:
    """The text's words after the same folding as the exact-text hash (case, punctuation, spacing)."""
    return normalize_for_hash(text).split()


def shingle_hashes(tokens: Sequence[str]) -> np.ndarray:
    """32-bit hashes of the distinct overlapping SHINGLE_WORDS-word shingles of ``tokens``.

    Each word is hashed once (crc32, stable across processes unlike ``hash()``) and shingles are
    combined in numpy: hashing every joined shingle string costs three times as much.
    """
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    word_hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in tokens), dtype=np.uint32, count=len(tokens))
    k = min(SHINGLE_WORDS, len(tokens))
    n = len(tokens) - k + 1
    out = np.zeros(n, dtype=np.uint32)
    for j in range(k):
        out = out * _MULTIPLIERS[j] + word_hashes[j : j + n]
    return np.unique(out)


def minhash_signature(text: str) -> bytes:
    """The text's MinHash signature: NUM_PERM + 1 little-endian uint32 values.

    The NUM_PERM MinHash values, then the number of distinct shingles (containment needs the set
    sizes, which MinHash values alone do not give).

    A pure function of the text (no state, no I/O), so it can run in the extraction worker and
    travel to the dedupe stage with the item; bytes because they pickle and store (BLOB) as is.
    """
    return signature_of_tokens(words(text))


def signature_of_tokens(tokens: Sequence[str]) -> bytes:
    """``minhash_signature`` of already folded words."""
    hashes = shingle_hashes(tokens)
    values = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    if len(hashes):
        h = _fmix32(hashes).reshape(-1, 1)
        values = np.minimum(values, (h * _PERM_A + _PERM_B).min(axis=0))  # uint32: wraps mod 2**32
    return values.astype("<u4", copy=False).tobytes() + np.array([len(hashes)], dtype="<u4").tobytes()


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, element-wise (datasketch's pre-mix of each input hash)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signature_values(signature: bytes) -> np.ndarray:
    """The signature's NUM_PERM MinHash values as a uint32 array."""
    if len(signature) != 4 * (NUM_PERM + 1):
        raise ValueError(f"a signature has {4 * (NUM_PERM + 1)} bytes, this one {len(signature)}")
    return np.frombuffer(signature, dtype="<u4", count=NUM_PERM)


def shingle_count(signature: bytes) -> int:
    """How many distinct shingles the signed text has."""
    return int(np.frombuffer(signature, dtype="<u4", offset=4 * NUM_PERM, count=1)[0])


def jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets: the share of equal MinHash values."""
    return float(np.count_nonzero(signature_values(a) == signature_values(b))) / NUM_PERM


def similarity(a: bytes, b: bytes) -> float:
    """Estimated containment of the smaller text's shingles in the other's (overlap coefficient).

    The share of the shorter text found in the longer one: 1.0 for a copy with a paragraph or a
    boilerplate footer added, where Jaccard would fall with every added line. From the Jaccard
    estimate J and the set sizes: |A & B| = J / (1 + J) * (|A| + |B|).
    """
    j = jaccard(a, b)
    na, nb = shingle_count(a), shingle_count(b)
    if j == 0.0 or not na or not nb:
        return 0.0
    return min(1.0, j / (1.0 + j) * (na + nb) / min(na, nb))


def similarities(a: Sequence[bytes], b: Sequence[bytes]) -> np.ndarray:
    """``similarity(a[k], b[k])`` for every k at once, float for float the same.

    The same arithmetic in float64, element-wise, in the same order: a threshold decides alike
    whichever of the two computed the value (tests/test_near_dupes.py checks it).
    """
    return stacked_similarities(stacked(a), stacked(b))  # which refuses two lengths


def stacked_similarities(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``similarities`` of the rows of two ``stacked`` matrices, row k with row k."""
    if len(left) != len(right):
        raise ValueError(f"{len(left)} signatures against {len(right)}")
    if not len(left):
        return np.zeros(0, dtype=np.float64)
    j = np.count_nonzero(left[:, :NUM_PERM] == right[:, :NUM_PERM], axis=1) / NUM_PERM
    na, nb = left[:, NUM_PERM].astype(np.float64), right[:, NUM_PERM].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        contained = np.minimum(1.0, j / (1.0 + j) * (na + nb) / np.minimum(na, nb))
    return np.where((j == 0.0) | (na == 0) | (nb == 0), 0.0, contained)


def stacked(signatures: Sequence[bytes]) -> np.ndarray:
    """Signatures as the rows of one uint32 matrix (NUM_PERM values, then the shingle count)."""
    size = 4 * (NUM_PERM + 1)
    if any(len(s) != size for s in signatures):
        raise ValueError(f"a signature has {size} bytes")
    return np.frombuffer(b"".join(signatures), dtype="<u4").reshape(len(signatures), NUM_PERM + 1)


def band_hashes(signature: bytes) -> list[int]:
    """One unsigned 32-bit hash per LSH band (UINTEGER-ready): equal bands give equal hashes.

    The band number is mixed in with the band's ROWS values (multiply-xorshift), so the index is
    looked up on this one column: a join on (band, hash) cost three times as much at 100,000
    stored articles (benchmarks/dedupe.py). The 64-bit mix is folded to 32 bits (``fold_band_hash``)
    because every write batch's lookup streams the whole window's band hashes through a join:
    with half the bytes, the join of 250 looked-up articles against a 20,000-page crawl's index
    (1.1 million rows) took 13-17 ms of CPU instead of 26-32 from a freshly attached file, the same
    pairs. A false match needs one of the window's hashes to equal a query's by chance, about
    1 in 3,800 per query band at 1.1 million rows, and a candidate needs MIN_SHARED_BANDS of them
    on the same version; every candidate is then checked on its whole signature anyway.
    """
    return fold_band_hash(band_hashes_64(signature)).tolist()


def band_hash_rows(signatures: np.ndarray) -> np.ndarray:
    """``band_hashes`` of every row of a ``stacked`` matrix at once: one uint32 row of BANDS hashes each.

    A write batch signs a few hundred articles; hashing them one by one cost about 20 us each in
    NumPy calls, most of it call overhead (0.4 s of a 20,000-page crawl's writes, under cProfile).
    """
    return fold_band_hash(_band_mix(signatures[:, :NUM_PERM].astype(np.uint64).reshape(len(signatures), BANDS, ROWS)))


def sharing_rows(bands: np.ndarray, min_shared: int) -> dict[int, list[int]]:
    """For each row of a (signatures, BANDS) matrix of band hashes, the other rows it shares at least
    ``min_shared`` hashes with, ascending; rows that share with none are left out.

    What a join on the hash finds, within one batch: equal hashes are counted wherever they stand,
    as the index's join counts them. Sorting the batch's hashes puts the equal ones side by side,
    so only the hashes two rows share cost Python work, not every band of every row (a dict of
    64 entries per signed article took about 1.8 s of a 20,000-page crawl's writes, under cProfile).
    """
    n, per = bands.shape
    flat = bands.reshape(-1)
    order = np.argsort(flat, kind="stable")
    hashes, owners = flat[order], np.repeat(np.arange(n), per)[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    ends = np.r_[starts[1:], len(hashes)]
    repeated = ends - starts > 1  # the hashes that two rows or more share
    shared: dict[tuple[int, int], int] = {}
    for start, end in zip(starts[repeated].tolist(), ends[repeated].tolist(), strict=True):
        group = owners[start:end].tolist()
        for a in group:
            for b in group:
                if a != b:
                    shared[a, b] = shared.get((a, b), 0) + 1
    result: dict[int, list[int]] = {}
    for (a, b), count in sorted(shared.items()):
        if count >= min_shared:
            result.setdefault(a, []).append(b)
    return result


def band_hashes_64(signature: bytes) -> np.ndarray:
    """The 64-bit mix of each band (uint64), before ``fold_band_hash``: what archives before schema
    step 7 stored, as signed BIGINT."""
    return _band_mix(signature_values(signature).astype(np.uint64).reshape(1, BANDS, ROWS))[0]


def _band_mix(values: np.ndarray) -> np.ndarray:
    """The 64-bit mix of each band of (signatures, BANDS, ROWS) uint64 MinHash values: (signatures, BANDS)."""
    h = np.broadcast_to((np.arange(1, BANDS + 1, dtype=np.uint64) * _BAND_MIX) ^ _BAND_SALT, values.shape[:2])
    for j in range(ROWS):
        h = (h ^ values[:, :, j]) * _BAND_MIX
        h ^= h >> np.uint64(29)
    return h


def fold_band_hash(h: np.ndarray) -> np.ndarray:
    """64-bit band hashes (uint64, or int64 as BIGINT stored them) to 32 bits: high half xor low half.

    storage/schema.py folds the stored BIGINT hashes of older archives the same way, in SQL.
    """
    u = h.astype(np.uint64, copy=False)  # int64 keeps its bits (two's complement)
    return ((u ^ (u >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def lean(signature: bytes) -> LeanMinHash:
    """The signature as a datasketch ``LeanMinHash``, for code that wants datasketch's own API."""
    from datasketch import LeanMinHash  # imported on use: it brings SciPy along (see _affine32_permutations)

    return LeanMinHash(seed=SEED, hashvalues=signature_values(signature), scheme="affine32")
