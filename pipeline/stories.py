"""Stories: articles of different outlets about the same news, grouped within a time window."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipeline.entities import tokenize, words

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=36)
"""An article joins a story only when published within this time of one of its articles. News
of the day is picked up by other outlets within hours; 36 h also covers the next morning's
papers. Chosen on tests/test_stories.py; re-run it after changing."""
MAX_SPAN = timedelta(days=4)
"""A story stops taking articles this long after its first one, so that a club's running saga
(a transfer that drags on for weeks) does not become one endless story."""
THRESHOLD = 0.27
"""Cosine similarity at or above which an article joins a story. On the cases of
tests/test_stories.py the same news told by two outlets scores 0.32 and more, two different news
items about the same clubs 0.22 at most; 0.27 is the middle. Re-run that test after changing."""
LEAD_WORDS = 60
"""Words of the text read with the title: the lead says what the news is; further down, articles
drift into background shared by every article about the club."""
STEM = 6
"""Words are cut to this many characters so that "rinnovo" and "rinnova", "trattativa" and
"trattative" compare equal: a crude Italian stemmer that costs nothing."""
FEATURE_WEIGHT = 2.0
"""Weight of a team or a scoreline among the words: "Juve", "Juventus" and "bianconeri" are one
team, and "4-3" in two match reports is a strong sign they report the same match."""
_SCORE_RE = re.compile(r"(?<![\d-])\d{1,2}-\d{1,2}(?![\d-])")
RECENT_MEMBERS = 12
"""Compare with at most this many of a story's latest articles: enough to catch every wording."""

STOPWORDS = words(
    """
    il lo la i gli le un uno una di del dello della dei degli delle da dal dallo dalla dai dagli
    dalle a al allo alla ai agli alle in nel nello nella nei negli nelle su sul sullo sulla sui
    sugli sulle con col per tra fra e ed o che chi non ma se come anche piu ancora gia dopo prima
    sono era stato stata essere fare fatto ha hanno avere questo questa quello quella suo sua suoi
    sue loro nostro cui dove quando ecco tutto tutti oggi ieri domani ora sempre molto poi cosa
    dell all dall nell sull news video foto ufficiale live diretta calcio serie
    """
)


@dataclass(frozen=True)
class StoryArticle:
    """What the grouper needs of one article."""

    article_id: str
    outlet: str
    published_at: datetime
    title: str
    lead: str
    entities: frozenset[str] = frozenset()
    """Clubs and national teams it names (competitions are too common to tell stories apart)."""
    duplicate_of: str | None = None


@dataclass
class Story:
    """A group of articles; ``story_id`` stays the id of the article that started it."""

    story_id: str
    members: list[tuple[StoryArticle, dict[str, float]]] = field(default_factory=list)
    first_at: datetime | None = None
    last_at: datetime | None = None


def terms(title: str, lead: str, entities: frozenset[str] = frozenset()) -> dict[str, float]:
    """Stemmed content words of the title (weighing 2) and the lead (1), the teams named
    ("@napoli") and the scorelines ("#4-3")."""
    out: dict[str, float] = {}
    lead = " ".join(lead.split()[:LEAD_WORDS])
    for weight, text in ((2.0, title), (1.0, lead)):
        for tok in tokenize(text):
            w = tok.folded
            if len(w) < 3 or w in STOPWORDS or w.isdigit():
                continue
            stem = w[:STEM]
            out[stem] = max(out.get(stem, 0.0), weight)
    for e in entities:
        out["@" + e] = FEATURE_WEIGHT
    for score in _SCORE_RE.findall(f"{title} {lead}"):
        out["#" + score] = FEATURE_WEIGHT
    return out


class StoryGrouper:
    """Assigns articles, in publication order, to stories.

    A story is matched when the article shares a club or national team with one of its recent
    articles (or neither names any) and their titles and leads are close: the cosine of their
    word vectors, where a word weighs its inverse document frequency among the articles the
    grouper has seen, so "Napoli" (in every article about Napoli) counts for little and
    "Allegri" next to "Real" for much.
    """

    def __init__(
        self, window: timedelta = WINDOW, max_span: timedelta = MAX_SPAN, threshold: float = THRESHOLD
    ) -> None:
        self.window = window
        self.max_span = max_span
        self.threshold = threshold
        self.stories: dict[str, Story] = {}
        self.story_of: dict[str, str] = {}
        self.df: dict[str, int] = {}
        self.docs = 0
        self._by_entity: dict[str, set[str]] = {}
        self._by_term: dict[str, set[str]] = {}

    # -- state ------------------------------------------------------------------------------------
    def _count(self, t: dict[str, float]) -> None:
        self.docs += 1
        for w in t:
            self.df[w] = self.df.get(w, 0) + 1

    def _idf(self, w: str) -> float:
        return math.log((1 + self.docs) / (1 + self.df.get(w, 0))) + 1.0

    def _attach(self, story: Story, a: StoryArticle, t: dict[str, float]) -> None:
        story.members.append((a, t))
        story.first_at = a.published_at if story.first_at is None else min(story.first_at, a.published_at)
        story.last_at = a.published_at if story.last_at is None else max(story.last_at, a.published_at)
        self.story_of[a.article_id] = story.story_id
        for e in a.entities:
            self._by_entity.setdefault(e, set()).add(story.story_id)
        for w in t:
            self._by_term.setdefault(w, set()).add(story.story_id)

    def seed(self, story_id: str, articles: Iterable[StoryArticle]) -> None:
        """Load a story already in the archive, so new articles can join it."""
        story = self.stories.setdefault(story_id, Story(story_id))
        for a in sorted(articles, key=lambda x: x.published_at):
            t = terms(a.title, a.lead, a.entities)
            self._count(t)
            self._attach(story, a, t)

    def link(self, article_id: str, story_id: str, at: datetime) -> None:
        """Record that an article of the archive belongs to a story not loaded in memory, so its
        copies (``duplicate_of``) can follow it there."""
        story = self.stories.setdefault(story_id, Story(story_id, first_at=at, last_at=at))
        self.story_of[article_id] = story.story_id

    # -- matching ---------------------------------------------------------------------------------
    def similarity(self, a_terms: dict[str, float], a_ents: frozenset[str], b: StoryArticle,
                   b_terms: dict[str, float]) -> float:  # fmt: skip
        """0..1: cosine of the two articles' idf-weighted words; 0 when they name different teams."""
        if a_ents and b.entities and not (a_ents & b.entities):
            return 0.0
        dot = na = nb = 0.0
        for w, x in a_terms.items():
            idf2 = self._idf(w) ** 2
            na += x * x * idf2
            y = b_terms.get(w)
            if y:
                dot += x * y * idf2
        for w, y in b_terms.items():
            nb += y * y * self._idf(w) ** 2
        return dot / math.sqrt(na * nb) if na and nb else 0.0

    def assign(self, a: StoryArticle) -> str:
        """The story_id the article belongs to (a new story named after it when none fits)."""
        if a.article_id in self.story_of:
            return self.story_of[a.article_id]
        t = terms(a.title, a.lead, a.entities)
        self._count(t)
        if a.duplicate_of and a.duplicate_of in self.story_of:
            story = self.stories[self.story_of[a.duplicate_of]]
            self._attach(story, a, t)
            return story.story_id
        candidates: set[str] = set()
        for e in a.entities:
            candidates |= self._by_entity.get(e, set())
        if not a.entities:
            for w in t:
                candidates |= self._by_term.get(w, set())
        best, best_score = None, 0.0
        for sid in sorted(candidates):
            story = self.stories[sid]
            if story.first_at is None or story.last_at is None:
                continue
            if abs(a.published_at - story.first_at) > self.max_span:
                continue
            if not any(abs(a.published_at - m.published_at) <= self.window for m, _ in story.members):
                continue
            score = max(
                (self.similarity(t, a.entities, m, mt) for m, mt in story.members[-RECENT_MEMBERS:]), default=0.0
            )
            if score > best_score:
                best, best_score = story, score
        if best is None or best_score < self.threshold:
            best = self.stories.setdefault(f"s{a.article_id}", Story(f"s{a.article_id}"))
        self._attach(best, a, t)
        return best.story_id

    def forget_before(self, when: datetime) -> None:
        """Drop stories that ended before ``when``: a long run keeps only the live window in memory."""
        for sid in [sid for sid, s in self.stories.items() if s.last_at is not None and s.last_at < when]:
            story = self.stories.pop(sid)
            for m, t in story.members:
                self.story_of.pop(m.article_id, None)
                for e in m.entities:
                    self._by_entity.get(e, set()).discard(sid)
                for w in t:
                    self._by_term.get(w, set()).discard(sid)


def lead_of(text: str | None, description: str | None = None) -> str:
    """The description (standfirst) when the page has one, then the start of the text."""
    parts = [description or "", text or ""]
    words = " ".join(p for p in parts if p).split()
    return " ".join(words[:LEAD_WORDS])
