"""Clubs, national teams and competitions named in an article, from the gazetteer in pipeline/data."""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

GAZETTEER_PATH = Path(__file__).with_name("data") / "gazetteer.toml"

ENTITY_KINDS = ("club", "national", "competition")
"""Kinds tagged on articles. Outlets live in the same file but are only used for citations."""

RULES = ("always", "place", "article", "match", "context")

# A word is a run of letters and digits; everything else separates words. "dell'Inter" is two
# words ("dell", "Inter"), "Napoli-Juve" two words joined by "-", "Calciomercato.com" two by ".".
_WORD_RE = re.compile(r"[^\W_]+")
# What may stand between the words of one multi-word name in a text, by what the gazetteer writes
# there: a space only spaces ("Inter-Milan" is a fixture, not "Inter Milan"), a joiner (Saint-Germain,
# Coppa d'Italia, Bodø/Glimt) that joiner or a space, a dot (Calciomercato.com) a dot. No line breaks.
_SPACES_RE = re.compile(r"[ \t\u00a0]+")
_JOINER_RE = re.compile(r"[ \t\u00a0]*[-–/'’ʼ][ \t\u00a0]*|[ \t\u00a0]+")
_DOT_RE = re.compile(r"\.")
# A separator that still lets the previous word act as context (an article, a preposition):
# spaces or an elision apostrophe. Punctuation in between ("Napoli, Roma") breaks the link.
_CONTEXT_SEP_RE = re.compile(r"[ \t\u00a0]*['’ʼ]?[ \t\u00a0]*")
_FIXTURE_SEP_RE = re.compile(r"[ \t\u00a0]*[-–—][ \t\u00a0]*")
_LIST_SEP_RE = re.compile(r"[ \t\u00a0]*,[ \t\u00a0]*")


def words(text: str) -> frozenset[str]:
    """A set of words written as one string: keeps long word lists readable."""
    return frozenset(text.split())


# Italian articles and articulated prepositions by the gender and number they agree with.
ARTICLES: dict[str, frozenset[str]] = {
    "m": words("il lo del dello al allo dal dallo nel nello sul sullo col"),
    "f": words("la della alla dalla nella sulla"),
    "p": words("i gli le dei degli delle ai agli alle dai dagli dalle nei negli nelle sui sugli sulle coi"),
}
ELIDED = words("l dell all dall nell sull")
"""Articles before a vowel ("l'Inter", "dell'Empoli"): they agree with any gender."""
PLACE_PREPOSITIONS = words("a ad in di d da per verso")
"""Before a bare city name these mean the place: clubs take an article ("al Napoli", "a Napoli")."""
STREET_WORDS = words("via viale piazza piazzale corso largo vicolo lungomare lungotevere stazione aeroporto")
LIST_JOINERS = words("e ed o")
FOOTBALL_WORDS = words(
    """
    gol gara gare partita partite match allenatore tecnico mister mercato calciomercato classifica
    tifosi squadra squadre campionato stadio giocatore giocatori attaccante difensore centrocampista
    portiere rigore derby vittoria sconfitta pareggio trasferta panchina club maglia allenamento
    ritiro rinnovo contratto esonero esonerato ingaggio scudetto retrocessione promozione salvezza
    playoff girone giornata sfida punti calcio serie bomber capitano
    """
)
"""Words that make a bare city name a club: "Bologna blindata per il concerto" names the city,
"Bologna, il tecnico..." the club. Everyday Italian football vocabulary, chosen by hand."""


def fold(text: str) -> str:
    """Accents off, case folded, typographic apostrophes straight: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ʼ", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Token:
    """One word of a text, with where it is and how it compares."""

    start: int
    end: int
    raw: str
    folded: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(), fold(m.group())) for m in _WORD_RE.finditer(text)]


def _case_of(word: str) -> str:
    """'upper' (PSG), 'cap' (Inter) or 'any' (rossoneri): how strictly a text word must match."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if letters and word[0].isupper():
        return "cap"
    return "any"


def _case_ok(case: str, raw: str) -> bool:
    if case == "any":
        return True
    if case == "upper":
        letters = [c for c in raw if c.isalpha()]
        return bool(letters) and all(c.isupper() for c in letters)
    return raw[:1].isupper()


@dataclass(frozen=True)
class Entity:
    """A club, national team, competition or outlet of the gazetteer."""

    entity_id: str
    name: str
    kind: str
    """club | national | competition | outlet | journalist"""
    country: str | None = None
    league: str | None = None
    registry: bool = False
    """Outlets only: the key is a crawler registry key (crawler/outlets/)."""
    source: bool = True
    """Outlets only: False for names that look like an outlet but never are a news source."""


@dataclass(frozen=True)
class Group:
    """A nickname several clubs share ("bianconeri"), resolved per article."""

    candidates: tuple[str, ...]
    default: str | None


@dataclass(frozen=True)
class Alias:
    """One name of an entity, with the rule that decides whether an occurrence is a mention."""

    text: str
    target: str
    """entity_id, or '' for a group nickname (see ``group``)."""
    words: tuple[str, ...]
    cases: tuple[str, ...]
    seps: tuple[re.Pattern[str], ...]
    """for each gap between two words, what the text may have there"""
    rule: str = "always"
    gender: str | None = None
    after: frozenset[str] = frozenset()
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()
    group: Group | None = None
    is_outlet: bool = False


@dataclass(frozen=True)
class Candidate:
    """A name found in a text, before the rules have judged it."""

    alias: Alias
    first: int
    """index of its first token"""
    last: int
    """index of its last token"""


@dataclass(frozen=True)
class Mention:
    """An accepted mention of an entity."""

    entity_id: str
    start: int
    end: int
    text: str
    via: str
    """the gazetteer name that matched"""


@dataclass(frozen=True)
class EntityCount:
    """One row of ``article_entities``."""

    entity_id: str
    kind: str
    mentions: int
    in_title: bool


class GazetteerError(ValueError):
    """The gazetteer file is malformed: the message names the entry and the field."""


@dataclass
class Gazetteer:
    """The loaded gazetteer: entities by id and an index of names by their first word."""

    entities: dict[str, Entity]
    aliases: list[Alias]
    digest: str
    """Short hash of the file: articles record which gazetteer tagged them."""
    index: dict[str, list[Alias]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, list[Alias]] = {}
        for alias in self.aliases:
            index.setdefault(alias.words[0], []).append(alias)
        for lst in index.values():
            lst.sort(key=lambda a: -len(a.words))  # longest name first
        self.index = index

    @classmethod
    def from_file(cls, path: str | Path = GAZETTEER_PATH) -> Gazetteer:
        data = Path(path).read_bytes()
        try:
            parsed = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise GazetteerError(f"{path}: {exc}") from exc
        return cls.from_dict(parsed, digest=hashlib.sha1(data).hexdigest()[:12], source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], digest: str = "", source: str = "gazetteer") -> Gazetteer:
        entities: dict[str, Entity] = {}
        aliases: list[Alias] = []
        for section, kind in (("club", "club"), ("national", "national"), ("competition", "competition")):
            for entry in data.get(section, []):
                eid = _required(entry, "id", source, section)
                if eid in entities:
                    raise GazetteerError(f"{source}: [[{section}]] {eid!r} is defined twice")
                entities[eid] = Entity(eid, entry.get("name", eid), kind, entry.get("country"), entry.get("league"))
                aliases.extend(_aliases(entry, eid, source, section))
        for entry in data.get("outlet", []):
            key = _required(entry, "key", source, "outlet")
            if key in entities:
                raise GazetteerError(f"{source}: [[outlet]] {key!r} clashes with another id")
            entities[key] = Entity(key, entry.get("name", key), entry.get("kind", "outlet"), entry.get("country"),
                                   None, bool(entry.get("registry", False)),
                                   not entry.get("not_a_source", False))  # fmt: skip
            aliases.extend(_aliases(entry, key, source, "outlet", is_outlet=True))
        for entry in data.get("group", []):
            cands = tuple(entry.get("candidates", ()))
            default = entry.get("default")
            for c in (*cands, *([default] if default else [])):
                if c not in entities:
                    raise GazetteerError(f"{source}: [[group]] {entry.get('aliases')} names unknown entity {c!r}")
            group = Group(cands, default)
            aliases.extend(_aliases(entry, "", source, "group", group=group))
        return cls(entities, aliases, digest)

    def scan(self, tokens: Sequence[Token], text: str) -> list[Candidate]:
        """Every name in the text, longest first, left to right, never overlapping."""
        out: list[Candidate] = []
        i, n = 0, len(tokens)
        while i < n:
            found = None
            for alias in self.index.get(tokens[i].folded, ()):
                k = len(alias.words)
                if i + k > n:
                    continue
                if all(
                    tokens[i + j].folded == alias.words[j] and _case_ok(alias.cases[j], tokens[i + j].raw)
                    for j in range(k)
                ) and all(
                    alias.seps[j - 1].fullmatch(text[tokens[i + j - 1].end : tokens[i + j].start]) for j in range(1, k)
                ):
                    found = Candidate(alias, i, i + k - 1)
                    break
            if found:
                out.append(found)
                i = found.last + 1
            else:
                i += 1
        return out


def _required(entry: Mapping[str, Any], key: str, source: str, section: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise GazetteerError(f"{source}: a [[{section}]] entry has no {key!r}: {dict(entry)}")
    return value


def _aliases(
    entry: Mapping[str, Any], target: str, source: str, section: str, *, group: Group | None = None,
    is_outlet: bool = False,
) -> list[Alias]:  # fmt: skip
    out = []
    for item in entry.get("aliases", []):
        spec: Mapping[str, Any] = {"alias": item} if isinstance(item, str) else item
        text = spec.get("alias")
        where = f"{source}: [[{section}]] {target or entry.get('aliases')}"
        if not isinstance(text, str) or not text.strip():
            raise GazetteerError(f"{where}: an alias has no text: {item!r}")
        unknown = set(spec) - {"alias", "rule", "gender", "after", "not_before", "not_after"}
        if unknown:
            raise GazetteerError(f"{where}: alias {text!r} has unknown fields {sorted(unknown)}")
        rule = spec.get("rule", "always")
        if rule not in RULES:
            raise GazetteerError(f"{where}: alias {text!r} has rule {rule!r}, not one of {RULES}")
        gender = spec.get("gender")
        if gender is not None and gender not in ARTICLES:
            raise GazetteerError(f"{where}: alias {text!r} has gender {gender!r}, not m, f or p")
        words = _WORD_RE.findall(text)
        gaps = _WORD_RE.split(text)[1:-1]
        seps = tuple(_DOT_RE if g == "." else _SPACES_RE if not g.strip() else _JOINER_RE for g in gaps)
        if not words:
            raise GazetteerError(f"{where}: alias {text!r} has no letters or digits")
        out.append(
            Alias(
                text=text,
                target=target,
                words=tuple(fold(w) for w in words),
                cases=tuple(_case_of(w) for w in words),
                seps=seps,
                rule=rule,
                gender=gender,
                after=frozenset(fold(w) for w in spec.get("after", ())),
                not_before=frozenset(fold(w) for w in spec.get("not_before", ())),
                not_after=frozenset(fold(w) for w in spec.get("not_after", ())),
                group=group,
                is_outlet=is_outlet,
            )
        )
    return out


@lru_cache(maxsize=4)
def load_gazetteer(path: str | None = None) -> Gazetteer:
    """The gazetteer of ``path`` (default: the one shipped in pipeline/data), loaded once."""
    return Gazetteer.from_file(path or GAZETTEER_PATH)


# -- the rules ------------------------------------------------------------------------------------
def _prev_word(tokens: Sequence[Token], text: str, i: int) -> str | None:
    """The folded word just before token i when nothing but spaces or an apostrophe separates them."""
    if i == 0:
        return None
    if not _CONTEXT_SEP_RE.fullmatch(text[tokens[i - 1].end : tokens[i].start]):
        return None
    return tokens[i - 1].folded


def _next_word(tokens: Sequence[Token], text: str, i: int) -> str | None:
    if i + 1 >= len(tokens):
        return None
    if not _CONTEXT_SEP_RE.fullmatch(text[tokens[i].end : tokens[i + 1].start]):
        return None
    return tokens[i + 1].folded


def _joined(a: Candidate, b: Candidate, tokens: Sequence[Token], text: str) -> str | None:
    """How two neighbouring names are joined: 'fixture' (Napoli-Roma, Napoli vs Roma), 'list'
    (Napoli, Roma / Napoli e Roma) or None."""
    gap = b.first - a.last
    between = text[tokens[a.last].end : tokens[b.first].start]
    if gap == 1:
        if _FIXTURE_SEP_RE.fullmatch(between):
            return "fixture"
        if _LIST_SEP_RE.fullmatch(between):
            return "list"
    elif gap == 2:
        middle = tokens[a.last + 1].folded
        if middle in ("vs", "v") and not between.strip(" \t\u00a0.").replace(tokens[a.last + 1].raw, "").strip():
            return "fixture"
        if middle in LIST_JOINERS and not between.replace(tokens[a.last + 1].raw, "").strip():
            return "list"
    return None


def _is_team(c: Candidate, entities: Mapping[str, Entity]) -> bool:
    if c.alias.is_outlet:
        return False
    if c.alias.group is not None:
        return True
    return entities[c.alias.target].kind in ("club", "national")


def judge(candidates: Sequence[Candidate], tokens: Sequence[Token], text: str, gaz: Gazetteer) -> list[Candidate]:
    """The candidates that are mentions under their alias's rule (outlets are left out)."""
    teams = [c for c in candidates if _is_team(c, gaz.entities)]
    in_fixture: set[int] = set()
    listed_after: dict[int, Candidate] = {}  # first token of a name -> the name listed just before it
    listed_before: dict[int, Candidate] = {}  # first token of a name -> the name listed just after it
    for a, b in itertools.pairwise(teams):
        how = _joined(a, b, tokens, text)
        if how == "fixture":
            in_fixture.update((a.first, b.first))
        elif how == "list":
            listed_after[b.first] = a
            listed_before[a.first] = b
    verdicts: dict[int, bool] = {}
    refused_place: set[int] = set()
    bare_place: set[int] = set()  # accepted only because nothing said it was the city
    for c in candidates:
        if c.alias.is_outlet:
            continue
        a = c.alias
        prev = _prev_word(tokens, text, c.first)
        nxt = _next_word(tokens, text, c.last)
        ok = True
        if (prev is not None and prev in a.not_after) or (nxt is not None and nxt in a.not_before):
            ok = False
        elif a.rule == "place" and c.first not in in_fixture:
            if (
                prev in STREET_WORDS
                or prev in PLACE_PREPOSITIONS
                or (prev is not None and a.gender and _wrong_gender(prev, a.gender))
            ):
                ok = False
                refused_place.add(c.first)
            elif (prev is None or prev in LIST_JOINERS) and (listed_after.get(c.first, c).first in refused_place):
                ok = False  # "a Napoli e Roma": Roma is a city too
                refused_place.add(c.first)
            elif prev is None or prev in LIST_JOINERS or not _any_article(prev):
                bare_place.add(c.first)
        elif a.rule == "article" and c.first not in in_fixture:
            allowed = ARTICLES.get(a.gender or "", frozenset()) | a.after
            if not a.gender:
                allowed = allowed.union(*ARTICLES.values())
            ok = prev is not None and (prev in allowed or prev in ELIDED)
        elif a.rule == "match":
            ok = c.first in in_fixture
        verdicts[c.first] = ok
    # "di Napoli, Inter e Milan": a place refused for its preposition but listed before a club
    # with an unambiguous name is a club after all.
    for first in sorted(refused_place):
        nxt_c = listed_before.get(first)
        if nxt_c is not None and verdicts.get(nxt_c.first) and nxt_c.alias.rule == "always":
            verdicts[first] = True
    # A bare city name ("Bologna, ...", "tra Napoli e Roma") is a club only in a text about football:
    # another team or competition named with certainty, or football words.
    if bare_place and not _football_context(candidates, verdicts, bare_place, tokens):
        for first in bare_place:
            verdicts[first] = False
    # "Mondiale" is also MotoGP's and Formula 1's: such names need a team named in the same text.
    contextual = [c for c in candidates if c.alias.rule == "context" and verdicts.get(c.first)]
    if contextual and not any(
        verdicts.get(c.first) and c.alias.rule != "context" and _is_team(c, gaz.entities) for c in candidates
    ):
        for c in contextual:
            verdicts[c.first] = False
    return [c for c in candidates if verdicts.get(c.first)]


def _any_article(word: str) -> bool:
    return word in ELIDED or any(word in w for w in ARTICLES.values())


def _football_context(
    candidates: Sequence[Candidate], verdicts: Mapping[int, bool], bare: set[int], tokens: Sequence[Token]
) -> bool:
    if any(t.folded in FOOTBALL_WORDS for t in tokens):
        return True
    return any(verdicts.get(c.first) and c.first not in bare and not c.alias.is_outlet for c in candidates)


def _wrong_gender(prev: str, gender: str) -> bool:
    """An article of another gender before the name: "la Napoli" (the city), "il Lazio" (the region)."""
    return any(prev in words for g, words in ARTICLES.items() if g != gender and g != "p")


def resolve_groups(accepted: Sequence[Candidate], gaz: Gazetteer) -> list[tuple[Candidate, str]]:
    """Each accepted candidate with the entity it stands for; shared nicknames go to the club the
    article names otherwise (the nearest before, else the nearest after), else to their default."""
    named = [(c.first, c.alias.target) for c in accepted if c.alias.group is None]
    named_ids = {t for _, t in named}
    out: list[tuple[Candidate, str]] = []
    for c in accepted:
        g = c.alias.group
        if g is None:
            out.append((c, c.alias.target))
            continue
        present = [x for x in g.candidates if x in named_ids]
        if len(present) == 1:
            out.append((c, present[0]))
        elif present:
            before = [t for pos, t in named if pos < c.first and t in present]
            after = [t for pos, t in named if pos > c.first and t in present]
            out.append((c, before[-1] if before else after[0]))
        elif g.default:
            out.append((c, g.default))
    return out


def find_mentions(text: str, gaz: Gazetteer | None = None) -> list[Mention]:
    """Every mention of a club, national team or competition in ``text``, in order."""
    gaz = gaz or load_gazetteer()
    tokens = tokenize(text)
    accepted = judge(gaz.scan(tokens, text), tokens, text, gaz)
    return [
        Mention(eid, tokens[c.first].start, tokens[c.last].end, text[tokens[c.first].start : tokens[c.last].end],
                c.alias.text)
        for c, eid in resolve_groups(accepted, gaz)
    ]  # fmt: skip


def tag_article(title: str | None, text: str | None, gaz: Gazetteer | None = None) -> list[EntityCount]:
    """The ``article_entities`` rows of one article: each entity with its mentions and whether the
    title names it. Title and text are read as one document, so a nickname in the text resolves
    to the club the title names."""
    gaz = gaz or load_gazetteer()
    title = title or ""
    doc = f"{title}\n\n{text or ''}"
    title_end = len(title)
    counts: dict[str, list[int]] = {}
    for m in find_mentions(doc, gaz):
        row = counts.setdefault(m.entity_id, [0, 0])
        row[0] += 1
        if m.start < title_end:
            row[1] = 1
    return [EntityCount(eid, gaz.entities[eid].kind, n, bool(t)) for eid, (n, t) in sorted(counts.items())]


def entity_rows(
    gaz: Gazetteer | None = None, kinds: Iterable[str] | None = None
) -> list[tuple[str, str, str, str | None]]:
    """(entity_id, name, kind, country) of every entity, for the ``entities`` table."""
    gaz = gaz or load_gazetteer()
    wanted = set(kinds) if kinds else None
    return [
        (e.entity_id, e.name, e.kind, e.country)
        for e in sorted(gaz.entities.values(), key=lambda e: e.entity_id)
        if wanted is None or e.kind in wanted
    ]
