"""Language identification of extracted text with langdetect, seeded so results repeat."""

from __future__ import annotations

import logging
import re

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

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
