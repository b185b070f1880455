"""Language identification of extracted text with langdetect, seeded so results repeat."""

from __future__ import annotations

import json
import logging
import os
import re
from array import array
from operator import mul
from pathlib import Path

from langdetect import DetectorFactory
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException
from langdetect.language import Language

logger = logging.getLogger(__name__)

# langdetect draws random samples of n-grams: without a fixed seed the same text gets a different
# probability (and, near ties, a different language) on every call. Set at import so every process
# that imports this module is deterministic, whether or not init_language() ran.
DetectorFactory.seed = 0

# Characters of the text handed to langdetect. performance.md: the whole text (8.5k chars) costs
# 10 ms, 1,000 chars 2.4 ms. On the 125 corpus reference texts every sample size from 300 chars to
# the whole text got the same 123 right (the two misses, Icelandic and Zulu, have no langdetect
# profile), with the same language on every text at 300, 400, 500 and 1,000. 500 (about 80 words)
# keeps a margin for pages that open with a short lead or a dateline, and costs 2.8 ms a page
# against 4.1 at 1,000 (300 republished corpus pages), a tenth of a worker's time besides
# trafilatura. Re-run tests/test_corpus.py after changing it.
SAMPLE_CHARS = 500
# Below this many words langdetect is wrong too often to be trusted (performance.md: 3 words 86%
# right, 5 words 99%), so we answer None rather than guess.
MIN_WORDS = 5
# Scripts written without spaces (Chinese, Japanese) carry a word or more per character: this many
# such characters count as enough text even when there are fewer than MIN_WORDS spaced words.
MIN_UNSPACED_CHARS = 10
_UNSPACED_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# langdetect answers with region subtags for Chinese; the item field is ISO 639-1.
_CODE_FIXES = {"zh-cn": "zh", "zh-tw": "zh"}


class SparseProfiles(DetectorFactory):
    """langdetect's 55 language profiles held sparse: 19 MB per process instead of 61.

    langdetect keeps, for each of its 87,598 n-grams, a list of 55 probabilities (one per
    language), and 96% of them are 0.0: every extraction worker held 61 MB of it (116 MB after
    warm-up, 73 MB with this), and a crawl runs one worker per core. Here ``word_lang_prob_map``
    maps an n-gram to its number, and each n-gram's non-zero probabilities lie in flat arrays
    (language index, probability) between ``starts[k]`` and ``starts[k + 1]``. Loaded from
    langdetect's own profile files, in the order and with the arithmetic of
    ``DetectorFactory.load_profile``; ``SparseDetector`` computes each update as langdetect does,
    so every answer is the same to the last bit (tests/test_language.py compares them). The cost:
    3.4 ms instead of 2.8 per 500-character sample (the corpus texts), about 1% of a page.
    """

    def __init__(self) -> None:
        super().__init__()
        self.starts = array("I", [0])
        self.langs = array("B")
        self.probs = array("d")

    def load_profile(self, profile_directory: str) -> None:
        # The (n-gram number, language index, probability) triples in flat arrays, then placed in
        # n-gram order by a counting sort: no Python object per triple, whose freed memory a worker
        # would keep (184,129 triples).
        numbers: dict[str, int] = {}
        gram, lang, prob = array("I"), array("B"), array("d")
        names = [n for n in os.listdir(profile_directory)  # langdetect's order: the language indexes
                 if not n.startswith(".") and os.path.isfile(os.path.join(profile_directory, n))]  # fmt: skip
        for index, name in enumerate(names):
            profile = json.loads(Path(profile_directory, name).read_text(encoding="utf-8"))
            self.langlist.append(profile["name"])
            n_words = profile["n_words"]
            for word, freq in profile["freq"].items():
                number = numbers.setdefault(word, len(numbers))
                if 1 <= len(word) <= 3:
                    gram.append(number)
                    lang.append(index)
                    prob.append(1.0 * freq / n_words[len(word) - 1])
        counts = array("I", bytes(4 * len(numbers)))
        for number in gram:
            counts[number] += 1
        for count in counts:
            self.starts.append(self.starts[-1] + count)
        cursor = self.starts[:-1]
        self.langs = array("B", bytes(len(gram)))
        self.probs = array("d", bytes(8 * len(gram)))
        for number, index, p in zip(gram, lang, prob, strict=True):  # languages stay in index order
            at = cursor[number]
            self.langs[at], self.probs[at] = index, p
            cursor[number] = at + 1
        self.word_lang_prob_map = numbers

    def _create_detector(self) -> SparseDetector:
        if not self.langlist:
            raise LangDetectException(0, "language profiles not loaded")
        return SparseDetector(self)


class SparseDetector(Detector):
    """langdetect's Detector over ``SparseProfiles``: one update multiplies each language's
    probability by ``weight + p`` as langdetect's does, with ``p`` 0.0 unless listed."""

    def __init__(self, factory: SparseProfiles) -> None:
        super().__init__(factory)
        self._starts, self._langs, self._probs = factory.starts, factory.langs, factory.probs

    def _update_lang_prob(self, prob: list[float], word: str | None, alpha: float) -> bool:
        number = self.word_lang_prob_map.get(word) if word is not None else None
        if number is None:
            return False
        weight = alpha / self.BASE_FREQ
        factors = [weight] * len(prob)
        start, end = self._starts[number], self._starts[number + 1]
        for index, p in zip(self._langs[start:end], self._probs[start:end], strict=True):
            factors[index] = weight + p
        prob[:] = map(mul, prob, factors)  # in C: langdetect's loop in bytecode was the slower one
        return True


_profiles: SparseProfiles | None = None


def detect_langs(text: str) -> list[Language]:
    """langdetect.detect_langs over the sparse profiles (loaded on first use)."""
    global _profiles
    if _profiles is None:
        profiles = SparseProfiles()
        profiles.load_profile(PROFILES_DIRECTORY)
        _profiles = profiles
    detector = _profiles.create()
    detector.append(text)
    return detector.get_probabilities()


def init_language() -> None:
    """Load langdetect's profiles now (about 0.5 s) rather than on the first article of a worker."""
    DetectorFactory.seed = 0
    detect_language("Questo è un testo di prova per caricare i profili delle lingue.")


def _sample(text: str, size: int = SAMPLE_CHARS) -> str:
    """The first ``size`` characters, cut back to a word boundary so no half-word skews n-grams."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", size // 2, size)
    return text[: cut if cut > 0 else size]


def is_enough_text(text: str) -> bool:
    """Whether ``text`` is long enough for langdetect's answer to mean something."""
    if len(text.split()) >= MIN_WORDS:
        return True
    return len(_UNSPACED_RE.findall(text, 0, 200)) >= MIN_UNSPACED_CHARS


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code and probability of the most likely language, or (None, None).

    None for text too short to trust and when langdetect finds no features (digits, symbols only);
    never raises, so one odd page cannot stop a worker.
    """
    if not text or not is_enough_text(text):
        return None, None
    try:
        best = detect_langs(_sample(text))[0]
    except LangDetectException as exc:
        logger.debug("langdetect gave up: %s", exc)
        return None, None
    return _CODE_FIXES.get(best.lang, best.lang), round(float(best.prob), 4)
