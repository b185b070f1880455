"""Other outlets an article cites as its source ("secondo quanto riportato dal Corriere dello Sport")."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.entities import Candidate, Gazetteer, Token, load_gazetteer, tokenize, words

logger = logging.getLogger(__name__)

# Words that attribute what follows to a source: "secondo quanto riportato da", "come scrive",
# "fonte:", "ai microfoni di", "l'edizione odierna del". Folded (no accents, lower case).
# Compiled from how Italian sports articles credit each other (the seed article, transfer pages).
PRE_CUES = words(
    """
    secondo riporta riportano riportato riportata riportati riportate riportarlo riportare
    riferisce riferiscono riferito riferita riferirlo scrive scrivono scritto scritta scriverlo
    rivela rivelano rivelato rivelata rivelarlo racconta raccontano raccontato raccontata
    svela svelano svelato svelata anticipa anticipano anticipato anticipata anticiparlo
    lancia lanciato lanciata rilancia rilanciato rilanciata rilanciano confermato confermata
    sottolinea sottolineato evidenzia evidenziato spiega spiegato spiegata ipotizza ipotizzato
    aggiorna aggiornato appreso apprende informa segnala segnalato segnalata annunciato
    citato citata ripreso ripresa legge stando fonte fonti indiscrezione indiscrezioni esclusiva
    microfoni intervista intervistato intervistata intervenuto intervenuta ospite raggiunto raggiunta
    concessa concesso rilasciata rilasciato dichiarato dichiarata detto parlato
    colonne pagine edizione odierna quotidiano giornale
    """
)
# Verbs that follow a source: "Il CorSport apre a ...", "Sky Sport riferisce che ...".
POST_CUES = words(
    """
    scrive scrivono riporta riportano riferisce riferiscono rivela rivelano racconta raccontano
    svela svelano spiega spiegano lancia rilancia conferma confermano sottolinea evidenzia titola
    ipotizza assicura apre aggiunge anticipa aggiorna informa parla
    scritto riportato riferito rivelato raccontato svelato spiegato lanciato rilanciato
    confermato sottolineato evidenziato titolato ipotizzato aggiunto anticipato aggiornato
    """
)
# Words that may stand between a cue and the source ("secondo quanto riportato dall'edizione
# odierna del ...") or between the source and its verb ("Il CorSport, in edicola oggi, scrive").
FILLERS = words(
    """
    quanto come anche sempre infatti proprio ancora inoltre poi invece pure oggi stamane stamattina
    questa mattina ieri sera stasera nella sua nelle sue ha hanno avrebbe e edicola online cartacea
    il lo la l i gli le un una uno un d di del dello della dell dei degli delle da dal dallo dalla dall
    dai dagli dalle a al allo alla all ai agli alle su sul sullo sulla sull sui sugli sulle in nel
    nello nella nell nei negli nelle con per tra fra
    spagnolo spagnola inglese inglesi francese tedesco tedesca portoghese olandese turco turca
    britannico britannica catalano catalana madrileno madrilena romano romana milanese torinese
    napoletano napoletana fiorentino fiorentina genovese sportivo sportiva rosa locale noto nota
    autorevole sito portale emittente radio tv tabloid testata rivista settimanale network account
    profilo collega colleghi giornalista esperto insider trasmissione programma canale versione
    ufficiale ufficiali lunga breve recente ultima ultime ultimo parte informazioni notizie
    """
)
MAX_GAP = 8
"""Filler words allowed between a cue and the source: "secondo quanto riportato dall'edizione
odierna del" has 6. Chosen on tests/data/entities_labelled.jsonl; past 8 precision drops."""
MAX_POST_GAP = 4
"""Filler words between a source and its verb ("Il CorSport, in edicola oggi, scrive")."""
MAX_CITED_TEXT = 200
"""Characters of ``cited_text`` kept: the phrase from the cue to the source name."""

# Words that make an unknown capitalised name after a strong cue an outlet: "secondo quanto
# riportato da La Provincia di Como" is a citation of an outlet we do not know.
OUTLET_WORDS = words(
    """
    corriere gazzetta gazzettino giornale quotidiano radio tv tele mattino messaggero nazione eco
    tirreno unione nuova provincia cronaca news post times herald daily diario journal gazette
    zeitung tribuna sport sports arena stadio mundo marca
    """
)
STRONG_CUES = words("secondo riportato riportata riferito riferita fonte fonti scrive riporta riferisce")
_SOURCE_SEP_RE = re.compile(r"[ \t\u00a0]*['’ʼ:]?[ \t\u00a0]*")
_POST_SEP_RE = re.compile(r"[ \t\u00a0]*[,'’ʼ]?[ \t\u00a0]*")
_NAME_LINKS = words("di del della dello de la il lo dei delle")


@dataclass(frozen=True)
class Citation:
    """One cited source: a gazetteer outlet key (None when the name is unknown) and the phrase."""

    outlet: str | None
    cited_text: str
    start: int
    end: int


def _sep_ok(text: str, tokens: Sequence[Token], i: int, pattern: re.Pattern[str]) -> bool:
    """True when tokens i and i+1 are separated only as ``pattern`` allows."""
    return pattern.fullmatch(text[tokens[i].end : tokens[i + 1].start]) is not None


def find_citations(text: str, gaz: Gazetteer | None = None, self_outlet: str | None = None) -> list[Citation]:
    """The sources ``text`` cites, one per outlet (the first phrase naming it), in order.

    An outlet name only counts next to a cue, so "in diretta su Sky" or "la Gazzetta Ufficiale"
    are not citations. ``self_outlet`` (the citing article's own outlet) is left out: "come
    anticipato da Gazzetta.it" on gazzetta.it is not a source.
    """
    gaz = gaz or load_gazetteer()
    tokens = tokenize(text)
    outlets = {c.first: c for c in gaz.scan(tokens, text) if c.alias.is_outlet}
    found: dict[int, tuple[int, int, Candidate | None]] = {}  # source first token -> (start char, end char, cand)

    # Cue first: walk from each cue over fillers to a source name.
    for i, tok in enumerate(tokens):
        if tok.folded not in PRE_CUES:
            continue
        j, gap = i, 0
        while j + 1 < len(tokens) and gap <= MAX_GAP:
            if not _sep_ok(text, tokens, j, _SOURCE_SEP_RE):
                break
            if ":" in text[tokens[j].end : tokens[j + 1].start] and tokens[j].folded not in ("fonte", "fonti"):
                break
            j += 1
            if j in outlets:
                cand = outlets[j]
                _keep(found, cand.first, tok.start, tokens[cand.last].end, cand)
                break
            if tokens[j].folded in FILLERS or tokens[j].folded in PRE_CUES:
                gap += 1
                continue
            if tok.folded in STRONG_CUES and tokens[j].raw[:1].isupper():
                end = _unknown_outlet_end(text, tokens, j)
                if end is not None:
                    _keep(found, j, tok.start, tokens[end].end, None)
            break

    # Source first: "Il CorSport apre a...", "Sky Sport, in edicola oggi, riferisce".
    for cand in outlets.values():
        j, gap = cand.last, 0
        while j + 1 < len(tokens) and gap <= MAX_POST_GAP:
            if not _sep_ok(text, tokens, j, _POST_SEP_RE):
                break
            j += 1
            if tokens[j].folded in POST_CUES:
                _keep(found, cand.first, tokens[cand.first].start, tokens[j].end, cand)
                break
            if tokens[j].folded in FILLERS:
                gap += 1
                continue
            break

    out: list[Citation] = []
    seen: set[str] = set()
    for _, (start, end, cand) in sorted(found.items()):
        key = cand.alias.target if cand else None
        if cand is not None and not gaz.entities[key].source:  # type: ignore[index]
            continue
        if key is not None and (key == self_outlet or key in seen):
            continue
        if key is not None:
            seen.add(key)
        phrase = " ".join(text[start:end].split())[:MAX_CITED_TEXT]
        if key is None and any(c.outlet is None and c.cited_text == phrase for c in out):
            continue
        out.append(Citation(key, phrase, start, end))
    return out


def _keep(found: dict[int, tuple[int, int, Candidate | None]], first: int, start: int, end: int,
          cand: Candidate | None) -> None:  # fmt: skip
    """Record a source, keeping the longest phrase (the earliest cue) for it."""
    old = found.get(first)
    if old is None or start < old[0]:
        found[first] = (start, max(end, old[1]) if old else end, cand)


def _unknown_outlet_end(text: str, tokens: Sequence[Token], j: int) -> int | None:
    """The last token of a capitalised name starting at j that looks like an outlet, else None."""
    end, k, outletish = None, j, False
    while k < len(tokens) and k - j < 6:
        if k > j and not _sep_ok(text, tokens, k - 1, _SOURCE_SEP_RE):
            break
        t = tokens[k]
        if t.raw[:1].isupper() or t.raw.isdigit():
            outletish = outletish or t.folded in OUTLET_WORDS
            end = k
        elif t.folded not in _NAME_LINKS:
            break
        k += 1
    return end if outletish else None
