"""Builds the labelled near-duplicate pairs: tests/data/dedupe_pairs.jsonl, and corpus pairs on demand.

Positives are the copies the issue lists, made by editing an article the way outlets do: an agency
text with a new first paragraph, an update with a paragraph added or a score corrected, a re-post
under a new title, the same text wrapped in another outlet's boilerplate, a fan site's light
rewrite, an aggregator's shortened copy. Negatives are hard on purpose: independent reports of the
same match (they share every name and the score), a live blog and the report of the same outlet,
rumours about the same player, two outlets quoting the same press conference, the same outlet's
boilerplate around two different articles, template pieces (probable line-ups) of different matches.

The committed file is built only from benchmarks/dedupe_texts.py (texts written for this
repository). ``corpus_pairs`` makes the same kinds of pairs from the real pages of the shared corpus
at benchmark time; those are never written into the repository.

    .venv/bin/python benchmarks/make_dedupe_pairs.py            # rewrite tests/data/dedupe_pairs.jsonl
    .venv/bin/python benchmarks/make_dedupe_pairs.py --check    # exit 1 when the file is out of date
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dedupe_texts import TEXTS, Text  # noqa: E402
from pipeline.text import normalize_for_hash  # noqa: E402

PAIRS_FILE = ROOT / "tests" / "data" / "dedupe_pairs.jsonl"

OUTLET_NAMES = {
    "gazzetta": "La Gazzetta dello Sport", "cds": "Corriere dello Sport", "tuttosport": "Tuttosport",
    "skysport": "Sky Sport", "tmw": "TuttoMercatoWeb", "calciomercato": "Calciomercato.com", "ansa": "ANSA",
    "lapresse": "LaPresse", "forzaroma": "ForzaRoma.info", "interlive": "InterLive", "juvenews": "JuveNews",
    "napolimagazine": "Napoli Magazine", "sportmediaset": "Sport Mediaset",
}  # fmt: skip
FAN_SITES = ("forzaroma", "interlive", "juvenews", "napolimagazine")

LEDES = (
    "{title}: è quanto emerge nelle ultime ore, in una giornata ricca di notizie per lo sport italiano.",
    "{title}. La notizia è stata rilanciata nel pomeriggio dalle principali agenzie di stampa.",
    "Ecco cosa è successo. {title}, e le reazioni non si sono fatte attendere.",
    "Novità di giornata: {title}. Di seguito il resoconto completo con tutti i dettagli.",
    "(AGI) - {title}. Lo riferiscono fonti vicine alle società coinvolte.",
)
UPDATES = (
    "La società ha confermato la notizia in serata con un comunicato pubblicato sul proprio sito ufficiale.",
    "Nel frattempo sono arrivate le prime reazioni dei tifosi, che sui social hanno commentato in massa.",
    "In conferenza stampa l'allenatore ha voluto sottolineare la crescita della squadra nelle ultime settimane.",
    "Secondo le ultime indiscrezioni, nei prossimi giorni sono attese ulteriori novità sulla vicenda.",
    "Il giudice sportivo ha reso note le decisioni sulla giornata: nessuna squalifica per i protagonisti.",
    "Le immagini della giornata sono state rilanciate anche dai canali ufficiali della Lega.",
)
BOILERPLATE = {
    "header": ("di Redazione {name}", "A cura della redazione di {name}", "{name} - Notizie in tempo reale"),
    "footer": (
        "© RIPRODUZIONE RISERVATA",
        "Segui {name} anche sul canale WhatsApp e resta sempre aggiornato su tutte le ultime notizie.",
        "Iscriviti alla newsletter di {name} per ricevere ogni mattina le notizie più importanti.",
        "Scarica l'app ufficiale e attiva le notifiche per non perdere nessun aggiornamento.",
        "Hai una segnalazione? Scrivi alla redazione: le tue notizie potrebbero finire sul sito.",
    ),
    "inline": ("Leggi anche: {other}", "LEGGI ANCHE - {other}", "Potrebbe interessarti anche: {other}"),
}
# A fan site's light rewrite: the word swaps such sites make when they take a story from a big outlet.
SYNONYMS = {
    "partita": "gara", "gara": "sfida", "squadra": "formazione", "vittoria": "successo", "allenatore": "tecnico",
    "tecnico": "mister", "gol": "rete", "rete": "gol", "attaccante": "centravanti", "club": "società",
    "giocatore": "calciatore", "stagione": "annata", "tifosi": "supporter", "campo": "terreno di gioco",
    "decisivo": "fondamentale", "pareggio": "pari", "classifica": "graduatoria", "sconfitta": "ko",
    "successo": "trionfo", "difesa": "retroguardia", "minuti": "giri di lancette", "prima": "inizialmente",
}  # fmt: skip


def _rng(*parts: str) -> random.Random:
    """A generator seeded by the names involved: the same pairs on every machine, whatever the order."""
    return random.Random(zlib.crc32("/".join(parts).encode("utf-8")))


def _other_outlet(outlet: str, rng: random.Random, pool: Iterable[str] | None = None) -> str:
    choices = sorted(o for o in (pool or OUTLET_NAMES) if o != outlet)
    return rng.choice(choices)


def _doc(outlet: str, title: str, paragraphs: Iterable[str]) -> dict[str, str]:
    return {"outlet": outlet, "title": title, "text": "\n".join(p for p in paragraphs if p)}


# -- edits that make a copy --------------------------------------------------------------------------
def new_lede(title: str, paragraphs: list[str], rng: random.Random) -> list[str]:
    """An agency text republished: the first paragraph rewritten, the rest as sent."""
    return [rng.choice(LEDES).format(title=title.rstrip(".")), *paragraphs[1:]]


def add_update(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The same article updated later in the day: one paragraph added, at the end or after the lede."""
    note = f"AGGIORNAMENTO ORE {rng.randint(14, 23)}:{rng.choice(('00', '15', '30', '45'))} - " + " ".join(
        rng.sample(UPDATES, 2)
    )
    where = len(paragraphs) if rng.random() < 0.6 else 1
    return [*paragraphs[:where], note, *paragraphs[where:]]


def correct_score(paragraphs: list[str], rng: random.Random) -> list[str]:
    """An update that fixes a figure (a score, a minute, a sum) and says so."""
    out = list(paragraphs)
    for i in rng.sample(range(len(out)), len(out)):
        numbers = list(re.finditer(r"\d+", out[i]))
        if numbers:
            m = rng.choice(numbers)
            out[i] = out[i][: m.start()] + str(int(m.group()) + 1) + out[i][m.end() :]
            break
    return [*out, "(Articolo aggiornato: corretto un dato nel testo)"]


def repost(paragraphs: list[str], rng: random.Random, other_title: str) -> list[str]:
    """The same article re-posted under a new URL and title: a sentence trimmed, a link added."""
    out = list(paragraphs)
    i = rng.randrange(len(out))
    sentences = re.split(r"(?<=[.!?»])\s+", out[i])
    if len(sentences) > 1:
        out[i] = " ".join(sentences[:-1])
    out.insert(min(2, len(out)), f"Leggi anche: {other_title}")
    return out


def wrap(paragraphs: list[str], outlet: str, rng: random.Random, other_title: str) -> list[str]:
    """The outlet's own furniture around a text: byline header, related link, footer lines."""
    name = OUTLET_NAMES.get(outlet, outlet)
    header = rng.choice(BOILERPLATE["header"]).format(name=name)
    inline = rng.choice(BOILERPLATE["inline"]).format(other=other_title)
    footer = [f.format(name=name) for f in rng.sample(BOILERPLATE["footer"], 3)]
    middle = max(1, len(paragraphs) // 2)
    return [header, *paragraphs[:middle], inline, *paragraphs[middle:], *footer]


def wrap_fixed(paragraphs: list[str], outlet: str, other_title: str) -> list[str]:
    """``wrap`` with the same header and footer every time: one outlet's template around any article."""
    name = OUTLET_NAMES.get(outlet, outlet)
    footer = [f.format(name=name) for f in BOILERPLATE["footer"]]
    middle = max(1, len(paragraphs) // 2)
    return [BOILERPLATE["header"][0].format(name=name), *paragraphs[:middle],
            BOILERPLATE["inline"][0].format(other=other_title), *paragraphs[middle:], *footer]  # fmt: skip


def light_rewrite(paragraphs: list[str], rng: random.Random) -> list[str]:
    """A fan site's take: some words swapped for synonyms (at most one in twelve), a new sign-off."""
    out = []
    last = -12
    for n, p in enumerate(paragraphs):
        tokens = p.split(" ")
        for i, tok in enumerate(tokens):
            bare = tok.strip(".,;:!?«»\"'()").lower()
            at = n * 1000 + i
            if bare in SYNONYMS and at - last >= 12 and rng.random() < 0.6:
                tokens[i] = tok.lower().replace(bare, SYNONYMS[bare])
                last = at
        out.append(" ".join(tokens))
    return [*out, "Cosa ne pensate? Ditecelo nei commenti!"]


def shorten(paragraphs: list[str], outlet: str) -> list[str]:
    """An aggregator's copy: the last paragraph left out, a link back to the source."""
    kept = paragraphs[:-1] if len(paragraphs) > 2 else paragraphs
    return [*kept, f"Continua a leggere l'articolo completo su {OUTLET_NAMES.get(outlet, outlet)}."]


# -- pairs ---------------------------------------------------------------------------------------------
def _pair(kind: str, label: int, a: dict[str, str], b: dict[str, str], source: str, note: str = "") -> dict[str, Any]:
    return {"kind": kind, "label": label, "same_outlet": a["outlet"] == b["outlet"], "a": a, "b": b,
            "source": source, "note": note}  # fmt: skip


def positives(key: str, outlet: str, title: str, paragraphs: list[str], other_title: str, source: str,
              italian: bool = True) -> list[dict[str, Any]]:  # fmt: skip
    """Every kind of copy of one article, each paired with the original."""
    rng = _rng(source, key)
    a = _doc(outlet, title, paragraphs)
    other = _other_outlet(outlet, rng)
    out = [
        _pair("agency_new_lede", 1, a, _doc(other, title, new_lede(title, paragraphs, rng)), source),
        _pair(
            "update_added_paragraph",
            1,
            a,
            _doc(outlet, f"AGGIORNAMENTO - {title}", add_update(paragraphs, rng)),
            source,
        ),
        _pair("update_score_corrected", 1, a, _doc(outlet, title, correct_score(paragraphs, rng)), source),
        _pair("repost_new_title", 1, a, _doc(outlet, f"{title} (VIDEO)", repost(paragraphs, rng, other_title)), source),
        _pair("other_boilerplate", 1, a, _doc(other, title, wrap(paragraphs, other, rng, other_title)), source),
        _pair(
            "agency_lede_and_boilerplate",
            1,
            a,
            _doc(other, title, wrap(new_lede(title, paragraphs, rng), other, rng, other_title)),
            source,
        ),
        _pair("aggregator_shortened", 1, a, _doc(other, title, shorten(paragraphs, outlet)), source),
    ]
    if italian:
        fan = _other_outlet(outlet, rng, FAN_SITES)
        out.append(_pair("fan_site_light_rewrite", 1, a, _doc(fan, title, light_rewrite(paragraphs, rng)), source))
    return out


def hard_negatives(x: Text, y: Text) -> list[dict[str, Any]]:
    """Two different articles on the same event, as published and dressed up the same way."""
    rng = _rng("neg", x.key, y.key)
    px, py = list(x.paragraphs), list(y.paragraphs)
    kind = "live_blog_and_report" if "live" in (x.kind, y.kind) else f"same_{x.kind}_other_article"
    host = x.outlet
    return [
        _pair(kind, 0, _doc(x.outlet, x.title, px), _doc(y.outlet, y.title, py), "own"),
        _pair(f"{kind}_same_boilerplate", 0, _doc(host, x.title, wrap_fixed(px, host, y.title)),
              _doc(host, y.title, wrap_fixed(py, host, x.title)), "own"),
        _pair(f"{kind}_one_updated", 0, _doc(x.outlet, x.title, add_update(px, rng)), _doc(y.outlet, y.title, py),
              "own"),
        _pair(f"{kind}_both_agency_ledes", 0, _doc(x.outlet, x.title, new_lede(x.title, px, rng)),
              _doc(y.outlet, y.title, new_lede(y.title, py, rng)), "own"),
    ]  # fmt: skip


FIXTURES = (
    ("Inter", "Genoa", "San Siro", 4), ("Milan", "Lecce", "San Siro", 4), ("Juventus", "Torino", "Allianz Stadium", 4),
    ("Napoli", "Cagliari", "Maradona", 4), ("Roma", "Udinese", "Olimpico", 4), ("Lazio", "Verona", "Olimpico", 4),
    ("Atalanta", "Empoli", "Gewiss Stadium", 4), ("Fiorentina", "Como", "Franchi", 4),
    ("Bologna", "Parma", "Dall'Ara", 4), ("Torino", "Monza", "Olimpico Grande Torino", 4),
    ("Genoa", "Venezia", "Ferraris", 5), ("Lecce", "Cagliari", "Via del Mare", 5),
    ("Udinese", "Como", "Bluenergy Stadium", 5),
    ("Empoli", "Parma", "Castellani", 5), ("Verona", "Monza", "Bentegodi", 5), ("Venezia", "Bologna", "Penzo", 5),
)  # fmt: skip
SURNAMES = (
    "Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Costa",
    "Giordano", "Mancini", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi",
    "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Serra", "Coppola",
    "De Santis", "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco",
    "Marini", "Grasso", "Valentini", "Messina", "Sala", "De Luca", "Gatti", "Pellegrini", "Palumbo", "Sanna",
    "Farina", "Rizzi", "Monti", "Cattaneo", "Morelli",
)  # fmt: skip


def lineup_article(home: str, away: str, stadium: str, round_: int, rng: random.Random) -> dict[str, str]:
    """A probable line-ups piece: one template, two teams, twenty-two names."""
    names = rng.sample(SURNAMES, 22)
    modules = ("4-3-3", "3-5-2", "4-2-3-1", "3-4-2-1")
    mh, ma = rng.choice(modules), rng.choice(modules)
    day = rng.choice(("sabato", "domenica", "lunedì"))
    hour = rng.choice(("12.30", "15", "18", "20.45"))
    paragraphs = [
        f"Le probabili formazioni di {home}-{away}, match valido per la {round_ * 6 + rng.randint(1, 5)}ª giornata "
        f"di Serie A in programma {day} alle {hour} allo stadio {stadium}.",
        f"{home} ({mh}): {names[0]}; {', '.join(names[1:5])}; {', '.join(names[5:8])}; {', '.join(names[8:11])}. "
        f"All.: {rng.choice(SURNAMES)}.",
        f"{away} ({ma}): {names[11]}; {', '.join(names[12:16])}; {', '.join(names[16:19])}; "
        f"{', '.join(names[19:22])}. All.: {rng.choice(SURNAMES)}.",
        f"Ballottaggi: {rng.choice(names)} in vantaggio su {rng.choice(SURNAMES)} nel {home}, {rng.choice(names)} "
        f"favorito su {rng.choice(SURNAMES)} nel {away}.",
        f"Indisponibili: {rng.choice(SURNAMES)} e {rng.choice(SURNAMES)} nel {home}, nessuno nel {away}. Squalificati: "
        "nessuno.",
        "Le formazioni ufficiali saranno comunicate un'ora prima del fischio d'inizio. Segui la diretta testuale "
        "della partita sul nostro sito, con il commento minuto per minuto e le pagelle a fine gara.",
    ]  # fmt: skip
    return _doc("fantacalcio", f"Probabili formazioni {home}-{away}", paragraphs)


def own_pairs() -> list[dict[str, Any]]:
    """The committed labelled set: copies and hard negatives of the articles written for this repository."""
    pairs: list[dict[str, Any]] = []
    for i, t in enumerate(TEXTS):
        other_title = TEXTS[(i + 7) % len(TEXTS)].title
        pairs += positives(t.key, t.outlet, t.title, list(t.paragraphs), other_title, "own")
    by_topic: dict[str, list[Text]] = {}
    for t in TEXTS:
        by_topic.setdefault(t.topic, []).append(t)
    for group in by_topic.values():
        for x, y in itertools.combinations(group, 2):
            pairs += hard_negatives(x, y)
    rng = _rng("lineups")
    lineups = [lineup_article(h, a, s, r, rng) for h, a, s, r in FIXTURES]
    for x, y in itertools.pairwise(lineups):
        pairs.append(_pair("same_template_other_match", 0, x, y, "own"))
    # Unrelated articles of one outlet share its boilerplate and nothing else.
    rng = _rng("unrelated")
    singles = [t for t in TEXTS if len(by_topic[t.topic]) == 1]
    for x, y in itertools.combinations(singles, 2):
        if rng.random() < 0.4:
            pairs.append(_pair("unrelated_same_boilerplate", 0, _doc("gazzetta", x.title, wrap_fixed(
                list(x.paragraphs), "gazzetta", y.title)), _doc("gazzetta", y.title, wrap_fixed(
                list(y.paragraphs), "gazzetta", x.title)), "own"))  # fmt: skip
    for n, p in enumerate(pairs):
        p["id"] = f"own-{n:04d}"
    return pairs


# -- corpus pairs (benchmark time only) ------------------------------------------------------------------
SPACELESS = {"ja", "zh", "th", "ko", "my", "km", "lo"}
"""Languages written without spaces between words: word shingles do not apply to them."""


def corpus_articles(corpus: Path, min_words: int = 120) -> list[dict[str, Any]]:
    """Reference texts of the shared corpus long enough to edit (reliable ones, spaced languages)."""
    out = []
    for path in sorted(corpus.glob("*.json")):
        ref = json.loads(path.read_text("utf-8"))
        text = ref.get("text")
        if not text or ref.get("text_reliable") is False or ref.get("language") in SPACELESS:
            continue
        paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
        if len(paragraphs) < 3 or len(text.split()) < min_words:
            continue
        publisher = ref["id"].rsplit("_", 3)[0] if ref["id"].startswith("fundus-") else ref["id"].split("-")[0]
        out.append({"key": ref["id"], "publisher": publisher, "title": ref.get("title") or ref["id"],
                    "paragraphs": paragraphs, "language": ref.get("language")})  # fmt: skip
    return out


def corpus_pairs(corpus: Path) -> list[dict[str, Any]]:
    """The same kinds of pairs from real articles (kept in memory, never written to the repository)."""
    arts = corpus_articles(corpus)
    pairs: list[dict[str, Any]] = []
    for i, art in enumerate(arts):
        other_title = arts[(i + 7) % len(arts)]["title"]
        pairs += positives(art["key"], "corpus", art["title"], art["paragraphs"], other_title, "corpus",
                           italian=art["language"] == "it")  # fmt: skip
    # Hard negatives: articles of the same publisher (shared furniture, often the same topic), with
    # one outlet's boilerplate around both; and unrelated articles, for scale.
    by_pub: dict[str, list[dict[str, Any]]] = {}
    for art in arts:
        by_pub.setdefault(art["publisher"], []).append(art)
    for group in by_pub.values():
        for x, y in itertools.combinations(group, 2):
            if normalize_for_hash(x["title"]) == normalize_for_hash(y["title"]):
                # The corpus holds a few pages twice, recorded on different days: an update.
                pairs.append(_pair("corpus_same_page_recorded_twice", 1, _doc("corpus", x["title"], x["paragraphs"]),
                                   _doc("corpus", y["title"], y["paragraphs"]), "corpus"))  # fmt: skip
                continue
            pairs.append(_pair("corpus_same_publisher", 0, _doc("corpus", x["title"], x["paragraphs"]),
                               _doc("corpus", y["title"], y["paragraphs"]), "corpus"))  # fmt: skip
            pairs.append(_pair("corpus_same_publisher_same_boilerplate", 0,
                               _doc("corpus", x["title"], wrap_fixed(x["paragraphs"], "corpus", y["title"])),
                               _doc("corpus", y["title"], wrap_fixed(y["paragraphs"], "corpus", x["title"])),
                               "corpus"))  # fmt: skip
    rng = _rng("corpus-unrelated")
    for x, y in itertools.combinations(arts, 2):
        if rng.random() < 0.02:
            pairs.append(_pair("corpus_unrelated", 0, _doc("corpus", x["title"], x["paragraphs"]),
                               _doc("other", y["title"], y["paragraphs"]), "corpus"))  # fmt: skip
    for n, p in enumerate(pairs):
        p["id"] = f"corpus-{n:04d}"
    return pairs


def load_pairs(path: Path = PAIRS_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def dumps(pairs: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n" for p in pairs)


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PAIRS_FILE)
    parser.add_argument("--check", action="store_true", help="only check that --out is up to date")
    args = parser.parse_args(argv)
    pairs = own_pairs()
    text = dumps(pairs)
    if args.check:
        ok = args.out.exists() and args.out.read_text("utf-8") == text
        out(f"{args.out}: {'up to date' if ok else 'OUT OF DATE, re-run benchmarks/make_dedupe_pairs.py'}")
        return 0 if ok else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, "utf-8")
    positives_n = sum(p["label"] for p in pairs)
    out(f"wrote {len(pairs)} pairs ({positives_n} near-duplicates, {len(pairs) - positives_n} not) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
