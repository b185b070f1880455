"""The README cookbook: its ten queries answer right on a small archive written and enriched here."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipeline.enrich import enrich_archive
from storage.connection import opened
from storage.writer import ArchiveWriter

README = Path(__file__).resolve().parents[1] / "README.md"
ROME = ZoneInfo("Europe/Rome")
# Yesterday 09:00 in Rome: every article falls on one local day, inside "this week" and "the last two days".
T0 = datetime.combine(datetime.now(ROME).date() - timedelta(days=1), datetime.min.time(), ROME) + timedelta(hours=9)

SEED = (
    "Secondo quanto riportato dall’edizione odierna del Corriere dello Sport, il Real Madrid sarebbe pronto a "
    "sferrare un nuovo assalto a Massimiliano Allegri, blindato al Milan da un contratto fino al 30 giugno 2027. "
    "Il presidente madridista Florentino Pérez è alla ricerca di un profilo di grande esperienza internazionale."
)

# (article_id, outlet, minutes after T0, title, text)
ARTICLES = [
    # Allegri and Real Madrid: the Corriere dello Sport has it first, two outlets follow and cite it.
    ("cds1", "cds", 0, "Il Real Madrid torna su Allegri: terzo assalto al tecnico del Milan",
     "Il Real Madrid pensa ancora a Massimiliano Allegri. Florentino Pérez vuole il tecnico del Milan per la "
     "prossima stagione, come nel 2019 e nel 2021."),
    ("mlv1", "milanlive", 90, "Allegri Real Madrid, altra tentazione per il tecnico del Milan! Il CorSport apre "
     "a questo scenario clamoroso", SEED),
    ("tmw1", "tmw", 180, "Milan, il Real Madrid sogna Allegri: il tecnico pensa solo ai rossoneri",
     "Come riporta il Corriere dello Sport, il Real Madrid vorrebbe Allegri in panchina, ma l'allenatore del Milan "
     "ha ribadito la totale sintonia con la società."),
    # Hojlund to Napoli: Di Marzio first, three outlets follow.
    ("dmz1", "dimarzio", 60, "Napoli, accordo per Hojlund: visite mediche domani",
     "Rasmus Hojlund sarà un nuovo giocatore del Napoli: accordo con il Manchester United per il prestito con "
     "obbligo di riscatto."),
    ("tmw2", "tmw", 90, "Hojlund-Napoli, accordo con il Manchester United: prestito con obbligo",
     "Come rivelato da Gianluca Di Marzio, il Napoli ha chiuso per Rasmus Hojlund: l'attaccante danese arriva dal "
     "Manchester United in prestito con obbligo."),
    ("ttn1", "tuttonapoli", 120, "Napoli, ecco Hojlund: accordo totale con il Manchester United",
     "Secondo Sky Sport, il Napoli e il Manchester United hanno trovato l'accordo per Hojlund: prestito con "
     "obbligo di riscatto, visite mediche domani."),
    ("gaz1", "gazzetta", 200, "Hojlund al Napoli, il prestito dal Manchester United è fatto",
     "Il Napoli ha chiuso con il Manchester United per Rasmus Hojlund, che domani sosterrà le visite mediche."),
    # Conte's press conference before Napoli-Genoa.
    ("tmw3", "tmw", 30, "Napoli, Conte: \"Domani gara difficile con il Genoa, Lukaku recuperato\"",
     "Antonio Conte ha presentato in conferenza stampa la sfida del Napoli contro il Genoa. Il tecnico ha "
     "annunciato il recupero di Lukaku."),
    ("sky1", "skysport", 50, "Conte in conferenza: \"Lukaku è pronto, il Genoa ci metterà in difficoltà\"",
     "Vigilia di Napoli-Genoa: le parole di Antonio Conte in conferenza stampa. Buone notizie su Lukaku, che "
     "torna a disposizione."),
    ("gaz2", "gazzetta", 100, "Napoli, Conte ritrova Lukaku per il Genoa",
     "Il tecnico del Napoli, ai microfoni di Sky Sport, alla vigilia della gara con il Genoa: Lukaku è recuperato "
     "e sarà in panchina."),
    # Juventus rumours with their sources.
    ("ttj1", "tuttojuve", 300, "Juventus, offerta al PSG per Kolo Muani",
     "Lo scrive Tuttosport: la Juventus ha presentato un'offerta al PSG per Randal Kolo Muani, in prestito con "
     "diritto di riscatto."),
    ("jvn1", "juvenews", 330, "Juve, offerta al PSG per Kolo Muani: i dettagli",
     "Secondo quanto riportato da Tuttosport e confermato da Sky Sport, la Juventus ha offerto al PSG il prestito "
     "di Kolo Muani."),
    ("cmc1", "calciomercato_com", 400, "Juventus, sondaggio per David del Lille",
     "La Juventus ha avviato i contatti per Jonathan David, in scadenza con il Lille."),
    # Lazio alone, and an article about the city of Naples that names no club.
    ("lzn1", "lalaziosiamonoi", 10, "Lazio, Sarri: \"Andiamo avanti con questi\"",
     "Maurizio Sarri ha parlato del momento della Lazio: il tecnico conta sul gruppo attuale."),
    ("ans1", "ansa", 20, "Traffico in tilt a Napoli per la manifestazione", "Code e disagi a Napoli per il corteo."),
]  # fmt: skip


def row(article_id: str, outlet: str, minutes: int, title: str, text: str) -> dict[str, Any]:
    at = T0 + timedelta(minutes=minutes)
    return {
        "article_id": article_id, "outlet": outlet, "url": f"https://{outlet}.example/{article_id}",
        "canonical_url": f"https://{outlet}.example/{article_id}", "url_key": f"{outlet}.example/{article_id}",
        "title": title, "authors": [], "published_at": at, "published_raw": at.isoformat(),
        "published_source": "json-ld", "text": text, "language": "it", "language_prob": 0.99,
        "word_count": len(text.split()), "content_hash": hashlib.sha1(text.encode()).hexdigest(),
        "page_kind": "article", "tags": [], "first_seen_at": at + timedelta(minutes=3),
        "updated_at": at + timedelta(minutes=3), "run_id": "cookbook", "raw_html": b"<html></html>",
        "fetched_at": at + timedelta(minutes=3), "http_status": 200, "content_type": "text/html",
    }  # fmt: skip


def cookbook_queries() -> list[str]:
    """The ```sql blocks of the README's "Clubs, sources and stories" section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Clubs, sources and stories", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cookbook") / "cookbook.duckdb"
    writer = ArchiveWriter(db)
    writer.ensure_schema()
    writer.write_batch(articles=[row(*a) for a in ARTICLES])
    counts = enrich_archive(db, batch_size=6)  # several batches, so stories cross batch boundaries
    assert counts.articles == len(ARTICLES)
    return db


@pytest.fixture(scope="module")
def answers(archive: Path) -> list[list[tuple[Any, ...]]]:
    with opened(archive, read_only=True) as con:
        return [con.execute(sql).fetchall() for sql in cookbook_queries()]


def test_the_cookbook_has_ten_queries() -> None:
    assert len(cookbook_queries()) == 10


def test_1_first_to_report_real_madrid_wants_allegri(answers: list[list[tuple[Any, ...]]]) -> None:
    ((first_outlet, first_at, title, outlets, order),) = answers[0]
    assert first_outlet == "cds"
    assert first_at == T0
    assert "Allegri" in title
    assert outlets == 3
    assert order == ["cds", "milanlive", "tmw"]


def test_2_napoli_articles_per_day_and_outlet(answers: list[list[tuple[Any, ...]]]) -> None:
    ((day, articles, outlets),) = answers[1]
    assert day == T0.date()
    assert articles == 7  # the city article of ANSA does not count
    assert outlets == "gazzetta 2, tmw 2, dimarzio 1, skysport 1, tuttonapoli 1"


def test_3_most_cited_outlets(answers: list[list[tuple[Any, ...]]]) -> None:
    cited = {r[0]: (r[3], r[4]) for r in answers[2]}
    assert answers[2][0][0] == "skysport"
    assert cited == {"skysport": (3, 3), "cds": (2, 2), "tuttosport": (2, 2), "dimarzio": (1, 1)}
    assert all(r[2] for r in answers[2])  # all in the registry


def test_4_sources_of_juventus_rumours(answers: list[list[tuple[Any, ...]]]) -> None:
    assert answers[3] == [("tuttosport", 2), ("skysport", 1)]


def test_5_clubs_most_talked_about_this_week(answers: list[list[tuple[Any, ...]]]) -> None:
    top = {r[0]: r[2:] for r in answers[4]}
    assert answers[4][0][:4] == ("napoli", "Napoli", 7, 5)
    assert top["man_utd"][0] == 4
    assert top["milan"][0] == 3 and top["real_madrid"][0] == 3
    assert "lazio" in top


def test_6_stories_most_outlets_ran(answers: list[list[tuple[Any, ...]]]) -> None:
    stories = [(r[1], r[3], r[5]) for r in answers[5]]
    assert stories[0] == (4, "dimarzio", ["dimarzio", "tmw", "tuttonapoli", "gazzetta"])
    assert (3, "cds", ["cds", "milanlive", "tmw"]) in stories
    assert (3, "tmw", ["tmw", "skysport", "gazzetta"]) in stories
    assert (2, "tuttojuve", ["tuttojuve", "juvenews"]) in stories
    assert len(stories) == 4  # Sarri, the David sondaggio and the city article stand alone


def test_7_who_is_first_most_often(answers: list[list[tuple[Any, ...]]]) -> None:
    assert dict(answers[6]) == {"cds": 1, "dimarzio": 1, "tmw": 1, "tuttojuve": 1}


def test_8_pickup_delays(answers: list[list[tuple[Any, ...]]]) -> None:
    delays = {r[0]: (r[1], r[2]) for r in answers[7]}
    assert delays == {
        "tmw": (2, 105),  # 180 min on Allegri, 30 on Hojlund
        "skysport": (1, 20),
        "juvenews": (1, 30),
        "tuttonapoli": (1, 60),
        "gazzetta": (2, 105),  # 70 on Conte, 140 on Hojlund
        "milanlive": (1, 90),
    }
    assert answers[7][0][0] == "skysport"


def test_9_clubs_named_together(answers: list[list[tuple[Any, ...]]]) -> None:
    assert answers[8][0] == ("man_utd", "napoli", 4)
    pairs = {(r[0], r[1]): r[2] for r in answers[8]}
    assert pairs[("milan", "real_madrid")] == 3
    assert pairs[("genoa", "napoli")] == 3
    assert pairs[("juventus", "psg")] == 2


def test_10_rumours_about_hojlund(answers: list[list[tuple[Any, ...]]]) -> None:
    rows = answers[9]
    assert [r[1] for r in rows] == ["dimarzio", "tmw", "tuttonapoli", "gazzetta"]
    assert all(r[3] == ["man_utd", "napoli"] for r in rows)
    assert [r[4] for r in rows] == [None, ["dimarzio"], ["skysport"], None]


def test_enrichment_is_idempotent_and_redoable(archive: Path) -> None:
    def snapshot() -> tuple[Any, ...]:
        with opened(archive, read_only=True) as con:
            return tuple(
                con.execute(sql).fetchall()
                for sql in (
                    "SELECT * FROM article_entities ORDER BY ALL",
                    "SELECT * FROM article_citations ORDER BY ALL",
                    "SELECT * FROM stories ORDER BY story_id",
                    "SELECT article_id, story_id FROM articles ORDER BY article_id",
                )
            )

    before = snapshot()
    assert enrich_archive(archive).articles == 0  # nothing new
    assert snapshot() == before
    assert enrich_archive(archive, only_new=False, batch_size=4).articles == len(ARTICLES)
    assert snapshot() == before


def test_a_changed_article_is_tagged_again(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    writer = ArchiveWriter(db)
    writer.ensure_schema()
    first = row("x1", "tmw", 0, 'Inter, Chivu: "Serve continuità"', "L'Inter prepara la trasferta di Lecce.")
    writer.write_batch(articles=[first])
    enrich_archive(db)
    # a re-fetch with a new text: the crawl stamps updated_at with the time it writes it
    changed = dict(first, text="Il Milan prepara il derby.", content_hash="other", updated_at=datetime.now(ROME))
    writer.write_batch(articles=[changed])
    assert enrich_archive(db).articles == 1
    with opened(db, read_only=True) as con:
        tagged = {r[0] for r in con.execute("SELECT entity_id FROM article_entities").fetchall()}
    assert tagged == {"inter", "milan"}


def test_search_finds_phrases_and_says_why_without_the_index(archive: Path) -> None:
    from storage.fts import search

    with opened(archive, read_only=True) as con:
        result = search(con, '"real madrid" Allegri', limit=10)
        only_tmw = search(con, "Allegri", outlets=["tmw"])
    assert {r[0] for r in result.rows} == {"cds1", "mlv1", "tmw1"}
    assert [r[0] for r in only_tmw.rows] == ["tmw1"]
    if result.method == "scan":
        assert result.note and ("fts" in result.note or "index" in result.note)
    scores = [r[-1] for r in result.rows]
    assert scores == sorted(scores, reverse=True)


def test_search_with_the_fts_index(tmp_path: Path) -> None:
    import duckdb

    from storage.fts import build_index, load_fts, search

    probe = duckdb.connect()
    reason = load_fts(probe)
    probe.close()
    if reason is not None:
        pytest.skip(f"fts extension not loadable here: {reason}")
    db = tmp_path / "fts.duckdb"
    writer = ArchiveWriter(db)
    writer.ensure_schema()
    writer.write_batch(articles=[row(*a) for a in ARTICLES])
    with opened(db) as con:
        assert build_index(con) is None
        result = search(con, "rinnovi Hojlund")  # no article says "rinnovi": stemming or nothing
        assert result.method == "fts"
        hits = search(con, "prestiti Hojlund")  # "prestito" in the texts, found through the stem
    assert result.rows == []
    assert {r[0] for r in hits.rows} == {"dmz1", "tmw2", "ttn1", "gaz1"}
