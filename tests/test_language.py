"""Unit tests of language detection on extracted text."""

from __future__ import annotations

import pytest

from pipeline.language import MIN_WORDS, SAMPLE_CHARS, _sample, detect_language, init_language, is_enough_text

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
