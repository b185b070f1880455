"""Unit tests of language detection on extracted text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from pipeline.language import (
    MIN_WORDS,
    SAMPLE_CHARS,
    SparseProfiles,
    _sample,
    detect_langs,
    detect_language,
    init_language,
    is_enough_text,
)

CORPUS = Path(os.environ.get("SPORTNEWS_CORPUS") or Path(__file__).resolve().parents[1].parent / "shared" / "corpus")

ITALIAN = (
    "Il tecnico rossonero ha parlato alla vigilia della sfida contro la Cremonese, spegnendo le voci di "
    "mercato che lo vorrebbero lontano da Milanello già dalla prossima stagione."
)
ENGLISH = "The coach spoke on the eve of the match, dismissing the rumours that he could leave the club next summer."
GERMAN = (
    "Der Trainer sprach am Vorabend des Spiels und wies die Gerüchte zurück, er könne den Verein im Sommer verlassen."
)
JAPANESE = (
    "南海トラフ地震の評価検討会は、臨時の調査を行ったが、巨大地震の発生可能性が高まったとする基準には達しなかった。"
)


@pytest.mark.parametrize(("text", "code"), [(ITALIAN, "it"), (ENGLISH, "en"), (GERMAN, "de"), (JAPANESE, "ja")])
def test_detects_language(text: str, code: str) -> None:
    language, probability = detect_language(text)
    assert language == code
    assert probability is not None and 0.5 < probability <= 1.0


def test_results_repeat() -> None:
    init_language()
    mixed = "Milan Inter derby della Madonnina, the match of the season, partita decisiva per lo scudetto"
    assert len({detect_language(mixed) for _ in range(10)}) == 1


@pytest.mark.parametrize(("words", "answered"), [(MIN_WORDS - 1, False), (MIN_WORDS, True), (MIN_WORDS + 1, True)])
def test_minimum_words(words: int, answered: bool) -> None:
    text = " ".join(["partita", "squadra", "allenatore", "campionato", "classifica", "stagione"][:words])
    assert (detect_language(text)[0] is not None) is answered


@pytest.mark.parametrize("text", ["", "   ", "Milan", "2-1 3-0 4-4 1-1 0-0 5-2", "!!! ??? ... --- ***"])
def test_undetectable_gives_none_and_never_raises(text: str) -> None:
    assert detect_language(text) == (None, None)


def test_short_unspaced_script_is_enough() -> None:
    assert is_enough_text("巨大地震の発生可能性が高まった")
    assert not is_enough_text("地震")


def test_sample_cuts_at_a_word_boundary() -> None:
    text = ITALIAN * 20
    sample = _sample(text)
    assert len(sample) <= SAMPLE_CHARS
    assert text.startswith(sample) and text[len(sample)] == " "
    assert _sample(ITALIAN) == ITALIAN


def _corpus_texts() -> list[str]:
    """The reference texts of the shared corpus (real articles in 20-odd languages), when present."""
    if not CORPUS.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")).get("text") or "" for p in sorted(CORPUS.glob("*.json"))]


def test_sparse_profiles_answer_as_langdetect_to_the_last_bit() -> None:
    """The same languages and the same probabilities, float for float, as langdetect's own
    profiles, over the texts above and every corpus text (whole and sampled as the worker does)."""
    stock = DetectorFactory()
    stock.load_profile(PROFILES_DIRECTORY)
    mixed = "Milan Inter derby della Madonnina, the match of the season, partita decisiva per lo scudetto"
    texts = [ITALIAN, ENGLISH, GERMAN, JAPANESE, mixed, ITALIAN + " " + GERMAN]
    for text in _corpus_texts():
        texts += [text[:3000], _sample(text)]
    compared = 0
    for text in texts:
        if not is_enough_text(text):
            continue
        detector = stock.create()
        detector.append(text)
        expected = [(lang.lang, lang.prob) for lang in detector.get_probabilities()]
        assert [(lang.lang, lang.prob) for lang in detect_langs(text)] == expected, text[:80]
        compared += 1
    assert compared >= 6


def test_sparse_profiles_hold_every_ngram_of_langdetect() -> None:
    stock = DetectorFactory()
    stock.load_profile(PROFILES_DIRECTORY)
    sparse = SparseProfiles()
    sparse.load_profile(PROFILES_DIRECTORY)
    assert sparse.langlist == stock.langlist
    assert sparse.word_lang_prob_map.keys() == stock.word_lang_prob_map.keys()
    for word, number in sparse.word_lang_prob_map.items():
        start, end = sparse.starts[number], sparse.starts[number + 1]
        row = [0.0] * len(sparse.langlist)
        for index, prob in zip(sparse.langs[start:end], sparse.probs[start:end], strict=True):
            row[index] = prob
        assert row == stock.word_lang_prob_map[word], word
