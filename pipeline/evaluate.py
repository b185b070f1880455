"""Extraction quality scores: our pipeline and plain trafilatura on pages with reference values."""

from __future__ import annotations

import gzip
import json
import logging
import random
import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .items import Discovery, ExtractedArticle, FetchedPage
from .worker import process_page

logger = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
OURS, TRAFILATURA = "ours", "trafilatura"
EXTRACTORS = (OURS, TRAFILATURA)

# A page whose text F1 falls below this is a failed extraction, listed by name (issue 3: "no page
# below 0.5 unless its reference is unreliable").
LOW_F1 = 0.5

# Characters of scripts written without spaces count as one token each; other text splits on \W
# (as tests/test_corpus.py and the extraction benchmarks count).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
# langdetect's 55 profiles: a page in another language (Icelandic, Zulu) cannot be detected by it,
# so "language right on pages langdetect supports" leaves those out.
LANGDETECT_LANGUAGES = frozenset(
    ("af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "gu", "he",
     "hi", "hr", "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne", "nl", "no", "pa", "pl",
     "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "vi", "zh")
)  # fmt: skip


@dataclass
class Case:
    """One page with its reference values, from the corpus or from the repository's fixtures."""

    id: str
    source: str
    """``corpus``, ``sites`` (tests/fixtures/sites) or ``outlet_pages`` (tests/fixtures/outlet_pages)."""
    url: str
    body: bytes
    fetched_at: str
    """ISO 8601: when the page was recorded; anchors "oggi"/"ieri" and bounds believable dates."""
    gold: dict[str, Any]
    """Reference values in the corpus format (title, authors, published, date_reliable, text,
    text_reliable, text_with, text_without, language) plus page_kind where known."""
    outlet: str = "file"
    content_type: str = "text/html"


@dataclass
class Got:
    """What one extractor made of one page, in comparable form."""

    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    page_kind: str | None = None
    reject: str | None = None
    """Reject reason (ours) or "none" when trafilatura returned nothing."""
    crash: str | None = None
    """An exception that escaped the extractor: never acceptable."""
    seconds: float = 0.0


# -- comparisons ---------------------------------------------------------------------------------
def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN_RE.findall(text.lower()))


def token_prf(got: str, ref: str) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall and F1, the measure the extraction benchmarks use."""
    g, r = tokens(got), tokens(ref)
    overlap = sum((g & r).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(g.values()), overlap / sum(r.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _parse_when(value: Any) -> datetime | date | None:
    if value is None or value == "":
        return None
    s = str(value).strip().replace(" ", "T", 1)
    s = re.sub(r"Z$", "+00:00", s)
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        m = re.match(r"(\d{4}-\d{2}-\d{2})", s)
        return date.fromisoformat(m.group(1)) if m else None


def same_local_date(got: str | None, ref: str | None) -> bool:
    """The logic of ../shared/checks/dates.py: got's calendar day read in ref's own offset.

    Where ref has no offset, either Rome's or UTC's day counts; a day-only got must equal ref's day.
    """
    g, r = _parse_when(got), _parse_when(ref)
    if g is None or r is None:
        return False
    rday = r.date() if isinstance(r, datetime) else r
    if not isinstance(g, datetime):
        return g == rday
    if g.tzinfo is None:
        return g.date() == rday
    if isinstance(r, datetime) and r.tzinfo is not None:
        return g.astimezone(r.tzinfo).date() == rday
    return rday in (g.astimezone(ROME).date(), g.astimezone(UTC).date())


def title_exact(got: str | None, ref: str) -> bool:
    """Exact up to whitespace: we collapse no-break and ideographic spaces, references keep them."""
    return (got or "").split() == ref.split()


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join(re.sub(r"[^\w\s]", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).split())


def author_f1(got: Sequence[str], ref: Sequence[str]) -> float:
    """F1 of the sets of names, folded for case, accents and punctuation; 1.0 when both are empty."""
    g = {_name_key(n) for n in got if _name_key(n)}
    r = {_name_key(n) for n in ref if _name_key(n)}
    if not g and not r:
        return 1.0
    hit = len(g & r)
    if not hit:
        return 0.0
    precision, recall = hit / len(g), hit / len(r)
    return 2 * precision * recall / (precision + recall)


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- extractors ----------------------------------------------------------------------------------
def run_ours(case: Case) -> Got:
    """Our worker, exactly as a crawl runs it (no feed date: only the page's own evidence counts)."""
    page = FetchedPage(
        outlet=case.outlet,
        url=case.url,
        body=case.body,
        content_type=case.content_type,
        http_status=200,
        fetched_at=case.fetched_at,
        discovery=Discovery(via="listing", source_url=case.url),
    )
    start = time.perf_counter()
    try:
        result = process_page(page)
    except Exception as exc:  # process_page promises never to raise: record it if it does
        return Got(crash=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start)
    seconds = time.perf_counter() - start
    if not isinstance(result, ExtractedArticle):
        crash = result.detail if result.reason == "extraction_error" else None
        return Got(reject=result.reason, crash=crash, seconds=seconds)
    return Got(
        text=result.text,
        title=result.title,
        authors=list(result.authors),
        published=result.published_at,
        language=result.language,
        page_kind=result.page_kind,
        seconds=seconds,
    )


def run_trafilatura(case: Case) -> Got:
    """Plain trafilatura: ``bare_extraction`` with metadata and default options, then langdetect."""
    import trafilatura
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    start = time.perf_counter()
    try:
        doc = trafilatura.bare_extraction(case.body, url=case.url, with_metadata=True)
    except Exception as exc:  # a crash of the baseline is a result too
        return Got(crash=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start)
    if doc is None:
        return Got(reject="none", seconds=time.perf_counter() - start)
    text = doc.text or ""
    language = None
    if text.strip():
        try:
            language = detect(text)
        except LangDetectException:
            language = None
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Got(
        text=text,
        title=doc.title,
        authors=authors,
        published=doc.date,
        language={"zh-cn": "zh", "zh-tw": "zh"}.get(language or "", language),
        seconds=time.perf_counter() - start,
    )


RUNNERS: dict[str, Callable[[Case], Got]] = {OURS: run_ours, TRAFILATURA: run_trafilatura}


# -- per-page rows -------------------------------------------------------------------------------
def page_row(case: Case, extractor: str, got: Got) -> dict[str, Any]:
    """One JSON-able row: what was found, what was expected and every per-field verdict."""
    gold = case.gold
    row: dict[str, Any] = {
        "id": case.id,
        "source": case.source,
        "extractor": extractor,
        "url": case.url,
        "ref_language": gold.get("language"),
        "reject": got.reject,
        "crash": got.crash,
        "seconds": round(got.seconds, 4),
    }
    flat = _flat(got.text)
    if gold.get("text") and gold.get("text_reliable", True) is not False:
        p, r, f = token_prf(got.text, gold["text"])
        row.update(text_precision=round(p, 4), text_recall=round(r, 4), text_f1=round(f, 4))
    with_ = gold.get("text_with") or []
    without = gold.get("text_without") or []
    if with_ or without:
        row["snippets_missing"] = [s for s in with_ if _flat(s) not in flat]
        row["snippets_leaked"] = [s for s in without if _flat(s) in flat]
        row["snippets_with"], row["snippets_without"] = len(with_), len(without)
    if gold.get("published") and gold.get("date_reliable", True) is not False:
        row.update(date_ok=same_local_date(got.published, gold["published"]), got_date=got.published,
                   ref_date=gold["published"])  # fmt: skip
    if gold.get("title"):
        row.update(title_ok=title_exact(got.title, gold["title"]), got_title=got.title, ref_title=gold["title"])
    if gold.get("authors") is not None and "authors" in gold:
        row.update(author_f1=round(author_f1(got.authors, gold["authors"]), 4), got_authors=got.authors,
                   ref_authors=gold["authors"])  # fmt: skip
    if gold.get("language"):
        row.update(language_ok=got.language == gold["language"], got_language=got.language)
    if gold.get("page_kind") and extractor == OURS:
        row.update(page_kind_ok=got.page_kind == gold["page_kind"], got_page_kind=got.page_kind,
                   ref_page_kind=gold["page_kind"])  # fmt: skip
    return row


def evaluate_case(case: Case, extractors: Sequence[str] = EXTRACTORS) -> list[dict[str, Any]]:
    """Rows of one page for each extractor (top-level so it pickles into a process pool)."""
    return [page_row(case, name, RUNNERS[name](case)) for name in extractors]


def evaluate(
    cases: Sequence[Case], extractors: Sequence[str] = EXTRACTORS, workers: int = 1,
    on_done: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Rows for every page and extractor, in the order of ``cases``.

    ``workers`` > 1 spreads pages over processes (each with langdetect seeded and the extractors
    warmed up); ``on_done`` is called once per page, for a progress bar.
    """
    rows: list[dict[str, Any]] = []
    if workers <= 1:
        from .worker import init_worker

        init_worker()
        for case in cases:
            rows.extend(evaluate_case(case, extractors))
            if on_done:
                on_done()
        return rows
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .worker import init_worker

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker) as pool:
        futures = [pool.submit(evaluate_case, case, tuple(extractors)) for case in cases]
        for future in futures:
            rows.extend(future.result())
            if on_done:
                on_done()
    return rows


# -- aggregates ----------------------------------------------------------------------------------
@dataclass
class Score:
    """A mean over the pages a measure applies to (n), None when it applies to none."""

    value: float | None
    n: int

    def text(self, digits: int = 3) -> str:
        return "-" if self.value is None else f"{self.value:.{digits}f}"


def _mean(values: Iterable[float]) -> Score:
    vals = list(values)
    return Score(statistics.mean(vals) if vals else None, len(vals))


METRICS = (
    ("text_precision", "text precision"),
    ("text_recall", "text recall"),
    ("text_f1", "text F1"),
    ("text_low", f"pages with text F1 < {LOW_F1}"),
    ("snippets_found", "snippets found (text_with)"),
    ("snippets_leaked", "snippets leaked (text_without)"),
    ("date", "date accuracy (local day)"),
    ("title", "title exact"),
    ("authors", "author F1"),
    ("language", "language accuracy"),
    ("language_supported", "language (langdetect's languages)"),
    ("page_kind", "page kind"),
    ("rejects", "pages without a record"),
    ("crashes", "crashes"),
)
"""(key, label) of the aggregate measures, in display order."""


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Score]:
    """Aggregate measures of one extractor's rows (see METRICS)."""
    out: dict[str, Score] = {}
    for key in ("text_precision", "text_recall", "text_f1"):
        out[key] = _mean(r[key] for r in rows if key in r)
    f1s = [r["text_f1"] for r in rows if "text_f1" in r]
    out["text_low"] = Score(float(sum(f < LOW_F1 for f in f1s)), len(f1s))
    with_total = sum(r.get("snippets_with", 0) for r in rows)
    missing = sum(len(r.get("snippets_missing", [])) for r in rows)
    without_total = sum(r.get("snippets_without", 0) for r in rows)
    leaked = sum(len(r.get("snippets_leaked", [])) for r in rows)
    out["snippets_found"] = Score((with_total - missing) / with_total if with_total else None, with_total)
    out["snippets_leaked"] = Score(leaked / without_total if without_total else None, without_total)
    out["date"] = _mean(float(r["date_ok"]) for r in rows if "date_ok" in r)
    out["title"] = _mean(float(r["title_ok"]) for r in rows if "title_ok" in r)
    out["authors"] = _mean(r["author_f1"] for r in rows if "author_f1" in r)
    out["language"] = _mean(float(r["language_ok"]) for r in rows if "language_ok" in r)
    out["language_supported"] = _mean(
        float(r["language_ok"]) for r in rows if "language_ok" in r and r["ref_language"] in LANGDETECT_LANGUAGES
    )
    out["page_kind"] = _mean(float(r["page_kind_ok"]) for r in rows if "page_kind_ok" in r)
    out["rejects"] = Score(float(sum(bool(r["reject"]) for r in rows)), len(rows))
    out["crashes"] = Score(float(sum(bool(r["crash"]) for r in rows)), len(rows))
    return out


COUNT_METRICS = frozenset({"text_low", "rejects", "crashes"})
"""Measures that are counts of pages rather than shares."""


def compare(rows: Sequence[dict[str, Any]], subset: Callable[[dict[str, Any]], bool] = lambda r: True,
            ) -> dict[str, dict[str, Score]]:  # fmt: skip
    """{extractor: summary} over the rows that ``subset`` keeps."""
    return {name: summarize([r for r in rows if r["extractor"] == name and subset(r)]) for name in EXTRACTORS}


def split_ids(ids: Iterable[str], seed: int) -> tuple[set[str], set[str]]:
    """Two halves of the page ids, drawn at random with ``seed`` (the same seed, the same halves)."""
    ordered = sorted(set(ids))
    random.Random(seed).shuffle(ordered)
    half = len(ordered) // 2
    return set(ordered[:half]), set(ordered[half:])


def low_pages(rows: Sequence[dict[str, Any]], extractor: str = OURS) -> list[dict[str, Any]]:
    """The rows of ``extractor`` that miss a target: text F1 < LOW_F1, wrong date, title or language."""
    misses = []
    for r in rows:
        if r["extractor"] != extractor:
            continue
        if (
            r.get("text_f1", 1.0) < LOW_F1
            or r.get("date_ok") is False
            or r.get("title_ok") is False
            or r.get("language_ok") is False
            or r.get("crash")
        ):
            misses.append(r)
    return misses


# -- loading pages -------------------------------------------------------------------------------
def load_corpus(folder: Path | str, fetched_at: datetime | None = None) -> list[Case]:
    """Every ``<id>.json`` + ``<id>.html.gz`` pair of a folder in the ../shared/corpus format."""
    folder = Path(folder)
    now = (fetched_at or datetime.now(UTC)).isoformat()
    cases = []
    for path in sorted(folder.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        page = path.with_name(f"{gold.get('id', path.stem)}.html.gz")
        if not page.exists():
            logger.warning("no page for %s", path.name)
            continue
        url = gold.get("url") or f"https://example.org/{gold.get('id', path.stem)}"
        cases.append(Case(gold.get("id", path.stem), "corpus", url, gzip.decompress(page.read_bytes()), now, gold,
                          gold.get("id", path.stem).split("-")[0]))  # fmt: skip
    return cases


def load_outlet_pages(folder: Path | str) -> list[Case]:
    """The recorded outlet fixtures: ``<outlet>/<version>/<name>.html`` beside ``<name>.json``.

    The JSON holds ``url``, ``fetched_at``, ``content_type`` and ``expected`` (the fields the
    extraction must give, see tests/fixtures/make_outlet_pages.py), turned here into the corpus
    reference format.
    """
    folder = Path(folder)
    cases = []
    for meta_path in sorted(folder.glob("*/*/*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = meta_path.with_suffix(".html").read_bytes()
        exp = meta["expected"]
        outlet, version = meta_path.parent.parent.name, meta_path.parent.name
        gold = {
            "title": exp.get("title"),
            "authors": exp.get("authors"),
            "published": exp.get("published_at"),
            "text": exp.get("text"),
            "text_reliable": bool(exp.get("text")),
            "text_without": meta.get("text_without", []),
            "language": exp.get("language"),
            "page_kind": exp.get("page_kind"),
        }
        cases.append(Case(f"{outlet}/{version}/{meta_path.stem}", "outlet_pages", meta["url"], body,
                          meta["fetched_at"], gold, outlet, meta.get("content_type", "text/html")))  # fmt: skip
    return cases


def sites_cases(expected: dict[str, Any], render: Callable[[str, str], tuple[str, bytes, str]],
                fetched_at: datetime | None = None) -> list[Case]:  # fmt: skip
    """Cases from tests/fixtures/sites/expected.json, each page got through ``render(outlet, path)``.

    ``render`` returns (url, body, content type): the fixture server substitutes its tokens. The
    expected values there are snippets and metadata, not whole texts.
    """
    now = (fetched_at or datetime.now(UTC)).isoformat()
    cases = []
    for art in expected.get("articles", []):
        url, body, content_type = render(art["outlet"], art["url_path"])
        gold = {
            "title": art.get("title"),
            "authors": art.get("authors"),
            "published": art.get("published_at"),
            "text_with": [art["text_snippet"]] if art.get("text_snippet") else [],
            "text_without": list(art.get("must_not_contain", [])),
            "language": art.get("language"),
            "page_kind": art.get("page_kind"),
        }
        cases.append(Case(f"{art['outlet']}{art['url_path']}", "sites", url, body, now, gold, art["outlet"],
                          content_type))  # fmt: skip
    return cases


def write_rows(rows: Iterable[dict[str, Any]], path: Path | str) -> int:
    """Per-page rows as JSON lines, so regressions can be found page by page; returns the count."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n
