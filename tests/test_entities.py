"""Entity tagging: gazetteer rules for the hard Italian cases, and the labelled set's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.entities import Gazetteer, GazetteerError, find_mentions, load_gazetteer, tag_article

LABELLED = Path(__file__).parent / "data" / "entities_labelled.jsonl"


def ids(text: str) -> set[str]:
    return {m.entity_id for m in find_mentions(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # word boundaries and case: Inter the club, not "inter-" words nor Inter Miami
        ("L'Inter batte il Como", {"inter", "como"}),
        ("Intercettazioni e interrogatori: nessun club coinvolto", set()),
        ("Messi trascina l'Inter Miami", {"inter_miami"}),
        ("Inter-Milan 2-1, decide Lautaro", {"inter", "milan"}),
        # a city is not its club: prepositions, streets, gender of the article, lists of places
        ("Il Napoli vince a Roma", {"napoli"}),
        ("In via Roma apre un negozio della Juventus", {"juventus"}),
        ("Il Tar del Lazio respinge il ricorso della Lazio", {"lazio"}),
        ("La Spezia festeggia, lo Spezia no", {"spezia"}),
        ("Due ore di treno tra Napoli e Roma", set()),
        ("La sfida tra Napoli e Roma vale il secondo posto in classifica", {"napoli", "roma"}),
        ("Le gare di Napoli, Inter e Milan anticipate al sabato", {"napoli", "inter", "milan"}),
        ("Bologna blindata per il concerto in piazza", set()),
        ("Bologna, il tecnico chiede un difensore", {"bologna"}),
        ("Roma Capitale approva lo stadio della Roma", {"roma"}),
        # nicknames that are common words need an article
        ("La Viola vince, maglia viola per la festa", {"fiorentina"}),
        ("Il Toro perde, un toro scappa dal recinto", {"torino"}),
        ("Il Diavolo cerca un centravanti", {"milan"}),
        ("Lo United esonera l'allenatore, United Airlines vola a Roma", {"man_utd"}),
        ("Il Monaco ospita l'Inter; Monaco di Baviera in festa", {"monaco", "inter"}),
        # longest name wins, persons are not clubs
        ("La Juve Stabia batte la Juve", {"juve_stabia", "juventus"}),
        ("Il Bayern Monaco vuole Milan Skriniar", {"bayern"}),
        ("Martin Palermo allena in Messico", set()),
        # countries only in fixtures; the national team by name
        ("Italia-Norvegia, la Nazionale si gioca il girone", {"italy", "norway"}),
        ("In Italia piove", set()),
        # shared nicknames follow the club the text names, else their default
        ("I bianconeri di Runjaic: l'Udinese vince", {"udinese"}),
        ("Bianconeri al lavoro alla Continassa", {"juventus"}),
        ("I rossoblù in ritiro", set()),
        ("Il Cagliari vince: festa rossoblù", {"cagliari"}),
        # competitions
        ("Coppa Italia e Champions League: il calendario", {"coppa_italia", "champions_league"}),
        ("Mondiali di sci, la Coppa del Mondo di sci riparte", set()),
    ],
)
def test_rules(text: str, expected: set[str]) -> None:
    assert ids(text) == expected


def test_article_rows_count_mentions_and_title() -> None:
    rows = {r.entity_id: r for r in tag_article("Napoli, Conte: i partenopei", "Il Napoli ha vinto. Lo Spezia no.")}
    assert rows["napoli"].mentions == 3
    assert rows["napoli"].in_title
    assert rows["spezia"].mentions == 1 and not rows["spezia"].in_title
    assert rows["napoli"].kind == "club"


def test_typographic_apostrophes_and_all_caps_titles() -> None:
    assert ids("Il gol dell’Inter e l’Atalanta") == {"inter", "atalanta"}
    assert ids("NAPOLI, CONTE: «PARTITA DIFFICILE»") == {"napoli"}


def test_gazetteer_is_consistent_with_the_outlet_registry() -> None:
    from crawler.outlets.registry import load_builtin

    gaz = load_gazetteer()
    registry = set(load_builtin())
    in_gazetteer = {e.entity_id for e in gaz.entities.values() if e.registry}
    assert in_gazetteer == registry  # every crawled outlet can be cited, and only real keys are marked
    kinds = {e.kind for e in gaz.entities.values()}
    assert kinds == {"club", "national", "competition", "outlet", "journalist"}
    assert sum(e.kind == "club" and e.country == "IT" for e in gaz.entities.values()) >= 40


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"club": [{"id": "x", "aliases": [{"alias": "X", "rule": "nope"}]}]}, "rule 'nope'"),
        ({"club": [{"id": "x", "aliases": [{"alias": "X", "genre": "m"}]}]}, "unknown fields"),
        ({"club": [{"id": "x", "aliases": ["X"]}, {"id": "x", "aliases": ["Y"]}]}, "defined twice"),
        ({"group": [{"aliases": ["blu"], "candidates": ["ghost"]}]}, "unknown entity 'ghost'"),
        ({"club": [{"name": "No id"}]}, "has no 'id'"),
    ],
)
def test_gazetteer_mistakes_are_named(data: dict, message: str) -> None:
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.from_dict(data)


def test_labelled_set_meets_the_targets() -> None:
    """The figures `python benchmarks/entities.py` prints, held as a floor."""
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line.strip()]
    assert len(rows) >= 150
    tp = fp = fn = 0
    for r in rows:
        got = {e.entity_id for e in tag_article("", r["text"]) if e.kind == "club"}
        want = set(r["clubs"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.90
