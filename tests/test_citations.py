"""Citation detection: cues before and after a source, resolution to outlets, what is not a citation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.citations import find_citations

LABELLED = Path(__file__).parent / "data" / "entities_labelled.jsonl"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed-article.txt"


def cited(text: str, self_outlet: str | None = None) -> list[str | None]:
    return [c.outlet for c in find_citations(text, self_outlet=self_outlet)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Secondo quanto riportato dall’edizione odierna del Corriere dello Sport, il Real vuole Allegri.", ["cds"]),
        ("Il CorSport apre a questo scenario clamoroso.", ["cds"]),
        ("Come riporta Sky Sport, il Napoli vuole Hojlund.", ["skysport"]),
        ("Fonte: Tuttosport", ["tuttosport"]),
        ("Secondo il Mattino, Conte resta.", ["il_mattino"]),
        ("La Gazzetta dello Sport, in edicola oggi, scrive che il Milan ha offerto 30 milioni.", ["gazzetta"]),
        ("Ai microfoni di DAZN, Chivu ha parlato della squadra.", ["dazn_it"]),
        ("Lo riporta il quotidiano spagnolo AS: Modric resta.", ["as"]),
        ("Secondo Fabrizio Romano, c'è l'accordo.", ["fabrizio_romano"]),
        ("Secondo quanto riportato da La Provincia di Como, il ritiro è fissato.", [None]),
        # an outlet named without a cue is not a source
        ("In diretta su Sky Sport e DAZN alle 20.45.", []),
        ("Gazzetta Ufficiale: pubblicato il decreto.", []),
        ("Secondo tempo su DAZN, il Milan cerca il pari.", []),
        ("Marca il gol del pareggio Pulisic.", []),
        ("La Repubblica Ceca vince il girone.", []),
        ("La stampa estera celebra la Roma.", []),
        # one row per outlet, in order
        (
            "Secondo Marca il Real vuole Bastoni; come scrive AS, e come ribadisce Marca, l'Inter dice no.",
            ["marca", "as"],
        ),
    ],
)
def test_cues(text: str, expected: list[str | None]) -> None:
    assert cited(text) == expected


def test_an_article_citing_itself_is_not_a_citation() -> None:
    assert cited("Come anticipato da Gazzetta.it, il Milan chiude.", self_outlet="gazzetta") == []
    assert cited("Come anticipato da Gazzetta.it, il Milan chiude.", self_outlet="cds") == ["gazzetta"]


def test_cited_text_is_the_phrase_from_cue_to_name() -> None:
    (c,) = find_citations("Il Real, secondo quanto riportato dal Corriere dello Sport, vuole Allegri.")
    assert c.cited_text == "secondo quanto riportato dal Corriere dello Sport"


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed article is not here")
def test_seed_article() -> None:
    assert cited(SEED.read_text("utf-8")) == ["cds"]


def test_labelled_set_precision() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line.strip()]
    tp = fp = 0
    for r in rows:
        got = {c or "?" for c in cited(r["text"])}
        tp, fp = tp + len(got & set(r["citations"])), fp + len(got - set(r["citations"]))
    assert tp / (tp + fp) >= 0.9
