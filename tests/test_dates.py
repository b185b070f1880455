"""Unit tests of date parsing and of the choice of publication and modification dates."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from pipeline.dates import (
    FUTURE_TOLERANCE,
    DateCandidate,
    choose_date,
    date_from_url,
    discovery_candidate,
    find_text_dates,
    parse_date,
    to_datetime,
)
from pipeline.items import Discovery
from tests.test_extract import article_html, jsonld, run

FETCHED = "2026-03-04T18:00:00+00:00"  # 19:00 in Rome (winter time)
NOW = to_datetime(FETCHED)
ARTICLE_URL = "https://www.example-sport.it/calcio/serie-a/allegri-resta-al-milan-123456.shtml"


def iso(raw: str, now: datetime = NOW) -> str | None:
    parsed = parse_date(raw, now)
    return parsed.value.isoformat() if parsed else None


# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-04T12:30:00+01:00", "2026-03-04T12:30:00+01:00"),
        ("2026-03-04T11:30:00Z", "2026-03-04T11:30:00+00:00"),
        ("2026-03-04T12:30:00.123+0100", "2026-03-04T12:30:00.123000+01:00"),
        ("20260304T123000+0100", "2026-03-04T12:30:00+01:00"),
        ("Wed, 04 Mar 2026 12:30:00 +0100", "2026-03-04T12:30:00+01:00"),
        ("lun, 28 set 2026 17:22:23 GMT", "2026-09-28T17:22:23+00:00"),
        ("mar, 03 mar 2026 10:00:00 +0100", "2026-03-03T10:00:00+01:00"),
        # Without offset: Rome time, winter and summer.
        ("2026-01-15T12:30:00", "2026-01-15T12:30:00+01:00"),
        ("2026-07-15T12:30:00", "2026-07-15T12:30:00+02:00"),
        ("2026-03-04 12:30", "2026-03-04T12:30:00+01:00"),
        # Italian forms.
        ("4 marzo 2026, 12:30", "2026-03-04T12:30:00+01:00"),
        ("Mercoledì 4 Marzo 2026 ore 12.30", "2026-03-04T12:30:00+01:00"),
        ("1° luglio 2026", "2026-07-01T00:00:00+02:00"),
        ("4 mar. 2026", "2026-03-04T00:00:00+01:00"),
        ("04/03/2026 - 12:30", "2026-03-04T12:30:00+01:00"),
        ("04.03.2026", "2026-03-04T00:00:00+01:00"),
        ("4-3-26", "2026-03-04T00:00:00+01:00"),
        ("Aggiornato il 5 marzo 2026 alle 9:15", "2026-03-05T09:15:00+01:00"),
        ("oggi alle 18:05", "2026-03-04T18:05:00+01:00"),
        ("ieri, 21.30", "2026-03-03T21:30:00+01:00"),
        ("ieri", "2026-03-03T00:00:00+01:00"),
    ],
)
def test_parse_date(raw: str, expected: str) -> None:
    assert iso(raw) == expected


def test_day_only_forms_have_no_time() -> None:
    for raw in ("2026-03-04", "04.03.2026", "4 marzo 2026", "ieri", "2026-03-04T00:00:00"):
        parsed = parse_date(raw, NOW)
        assert parsed is not None and not parsed.has_time, raw
    for raw in ("2026-03-04T12:30:00", "4 marzo 2026, 12:30", "2026-03-04T00:00:00+01:00"):
        parsed = parse_date(raw, NOW)
        assert parsed is not None and parsed.has_time, raw


def test_relative_dates_use_rome_day_of_the_fetch() -> None:
    # 23:30 UTC on 4 March is 00:30 on 5 March in Rome: "oggi" is the 5th.
    late = to_datetime("2026-03-04T23:30:00+00:00")
    assert iso("oggi alle 00:10", late) == "2026-03-05T00:10:00+01:00"
    assert iso("ieri alle 23:50", late) == "2026-03-04T23:50:00+01:00"


@pytest.mark.parametrize("raw", ["", "   ", "domani", "31/02/2026", "ore 12:30", "Serie A 2025/26", "n. 12345"])
def test_unparsable(raw: str) -> None:
    assert parse_date(raw, NOW) is None


def test_no_catastrophic_backtracking_on_long_separator_runs() -> None:
    start = time.perf_counter()
    for text in ("4 marzo 2026" + " " * 5000 + "x", "04/03/2026" + " ,-" * 3000 + "x", "ieri " * 5000):
        find_text_dates(text)
        parse_date(text, NOW)
    assert time.perf_counter() - start < 1.0


def test_find_text_dates_in_outlet_bylines() -> None:
    assert [d.raw for d in find_text_dates("Rubriche- 25.12.2024, 11:44")] == ["25.12.2024, 11:44"]
    assert [d.raw for d in find_text_dates("di Redazione | 4 marzo 2026 - 12:30")] == ["4 marzo 2026 - 12:30"]
    assert find_text_dates("Serie A 2025/26, 28ª giornata: 3-1 al 90'") == []


def test_find_text_dates_marks_updates() -> None:
    found = find_text_dates("Pubblicato il 4 marzo 2026 - 12:30 | Aggiornato il 5 marzo 2026 alle 9:15")
    assert [(d.raw, d.is_update) for d in found] == [("4 marzo 2026 - 12:30", False), ("5 marzo 2026 alle 9:15", True)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.example.it/sport/2026/03/04/news/allegri-123/", "2026-03-04"),
        ("https://www.example.it/sport/2026/3/4/allegri", "2026-03-04"),
        ("https://www.example.it/calcio/04-03-2026/allegri-resta", "2026-03-04"),
        ("https://www.example.it/calcio/allegri-resta-20260304.html", "2026-03-04"),
        ("https://www.corriere.it/sport/calcio/26_marzo_04/allegri-resta-abc123.shtml", "2026-03-04"),
        ("https://www.fantacalcio.it/news/calcio-italia/04_03_2026/allegri-resta-123", "2026-03-04"),
        ("https://www.corrieredellosport.it/news/calcio/serie-a/2026/03/04-151171743/allegri/", "2026-03-04"),
        ("https://www.rainews.it/articoli/2026/03/allegri-resta-0f9a8b7c.html", None),
        ("https://www.sportmediaset.mediaset.it/calcio/milan/allegri_123456-202502k.shtml", None),
        ("https://www.example.it/calcio/allegri-resta-20261399.html", None),
        ("https://www.example.it/calcio/allegri-resta-1234202603049.html", None),
        ("https://www.example.it/calcio/allegri-resta", None),
    ],
)
def test_date_from_url(url: str, expected: str | None) -> None:
    assert date_from_url(url) == expected


# --- choosing ------------------------------------------------------------------------------------


def test_first_believable_source_wins() -> None:
    chosen = choose_date(
        [DateCandidate("json-ld", "2026-03-04T10:00:00+01:00"), DateCandidate("meta", "2026-03-03T10:00:00+01:00")],
        NOW,
    )
    assert chosen is not None
    assert (chosen.iso, chosen.source, chosen.raw) == (
        "2026-03-04T10:00:00+01:00",
        "json-ld",
        "2026-03-04T10:00:00+01:00",
    )


@pytest.mark.parametrize(
    ("delta", "believed"),
    [
        (FUTURE_TOLERANCE - timedelta(minutes=1), True),
        (FUTURE_TOLERANCE, True),
        (FUTURE_TOLERANCE + timedelta(minutes=1), False),
    ],
)
def test_future_tolerance_threshold(delta: timedelta, believed: bool) -> None:
    future = (NOW + delta).isoformat()
    chosen = choose_date([DateCandidate("json-ld", future), DateCandidate("url", "2026-03-04")], NOW)
    assert chosen is not None
    assert (chosen.source == "json-ld") is believed


def test_dates_before_1990_are_not_believed() -> None:
    chosen = choose_date([DateCandidate("meta", "1970-01-01T00:00:00Z"), DateCandidate("url", "2026-03-04")], NOW)
    assert chosen is not None and chosen.source == "url"
    assert choose_date([DateCandidate("meta", "1989-12-31")], NOW) is None


def test_nothing_believable_gives_none_not_the_fetch_time() -> None:
    assert choose_date([], NOW) is None
    assert choose_date([DateCandidate("json-ld", "2027-01-01T00:00:00Z")], NOW) is None


def test_day_only_date_takes_the_feed_time_of_the_same_rome_day() -> None:
    feed = DateCandidate("feed", "Wed, 04 Mar 2026 11:15:00 +0100", "2026-03-04T11:15:00+01:00")
    chosen = choose_date([DateCandidate("json-ld", "2026-03-04"), feed], NOW, feed)
    assert chosen is not None
    assert (chosen.iso, chosen.source, chosen.raw) == (
        "2026-03-04T11:15:00+01:00",
        "feed",
        "Wed, 04 Mar 2026 11:15:00 +0100",
    )
    # 23:30 UTC on the 3rd is already the 4th in Rome: same local day.
    late = DateCandidate("sitemap", "2026-03-03T23:30:00Z")
    chosen = choose_date([DateCandidate("page", "04.03.2026"), late], NOW, late)
    assert chosen is not None and chosen.source == "sitemap"
    # Another day: the page's day stands.
    other = DateCandidate("feed", "2026-03-02T11:15:00+01:00")
    chosen = choose_date([DateCandidate("json-ld", "2026-03-04"), other], NOW, other)
    assert chosen is not None
    assert (chosen.iso, chosen.source) == ("2026-03-04T00:00:00+01:00", "json-ld")


def test_discovery_candidate_sources() -> None:
    feed = Discovery(via="feed", source_url="f", date="2026-03-04T11:15:00+01:00", date_raw="Wed, 04 Mar 2026 11:15")
    assert discovery_candidate(feed) == DateCandidate("feed", "Wed, 04 Mar 2026 11:15", "2026-03-04T11:15:00+01:00")
    news = Discovery(via="news-sitemap", source_url="s", date="2026-03-04T11:15:00+01:00")
    assert discovery_candidate(news) == DateCandidate(
        "sitemap", "2026-03-04T11:15:00+01:00", "2026-03-04T11:15:00+01:00"
    )
    assert discovery_candidate(Discovery(via="listing", source_url="l", date="2026-03-04T11:15:00+01:00")) is None
    assert discovery_candidate(Discovery(via="feed", source_url="f")) is None


# --- through process_page ------------------------------------------------------------------------


def test_jsonld_date_with_offset() -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2026-03-04T12:30:00+01:00"})
    art = run(article_html(head=head), fetched_at=FETCHED)
    assert (art.published_at, art.published_source) == ("2026-03-04T12:30:00+01:00", "json-ld")


def test_meta_date_only() -> None:
    head = '<meta property="article:published_time" content="2026-03-04T11:30:00Z">'
    head += '<meta property="article:modified_time" content="2026-03-04T13:00:00Z">'
    art = run(article_html(head=head), fetched_at=FETCHED)
    assert (art.published_at, art.published_source) == ("2026-03-04T11:30:00+00:00", "meta")
    assert art.published_raw == "2026-03-04T11:30:00Z"
    assert art.modified_at == "2026-03-04T13:00:00+00:00"


def test_italian_date_in_byline() -> None:
    byline = '<div class="article-byline">di Mario Rossi - 4 marzo 2026, 12:30</div>'
    art = run(article_html(byline=byline), fetched_at=FETCHED)
    assert art.published_at == "2026-03-04T12:30:00+01:00"
    assert art.published_source == "page"


def test_relative_byline_date() -> None:
    byline = '<p class="date">oggi alle 18:05</p>'
    art = run(article_html(byline=byline), fetched_at=FETCHED)
    assert art.published_at == "2026-03-04T18:05:00+01:00"
    assert art.published_source == "page"


def test_update_line_gives_modified() -> None:
    byline = '<p class="date">Pubblicato il 3 marzo 2026 alle 10:00 - Aggiornato il 4 marzo 2026 alle 9:15</p>'
    art = run(article_html(byline=byline), fetched_at=FETCHED)
    assert art.published_at == "2026-03-03T10:00:00+01:00"
    assert art.modified_at == "2026-03-04T09:15:00+01:00"


def test_date_in_url_only() -> None:
    url = "https://www.example-sport.it/calcio/2026/03/02/allegri-resta-al-milan"
    art = run(article_html(), url=url, fetched_at=FETCHED)
    assert (art.published_at, art.published_source, art.published_raw) == (
        "2026-03-02T00:00:00+01:00",
        "url",
        "2026-03-02",
    )


def test_future_jsonld_date_falls_to_next_source() -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2026-03-10T12:00:00+01:00"})
    head += '<meta property="article:published_time" content="2026-03-04T10:00:00+01:00">'
    art = run(article_html(head=head), fetched_at=FETCHED)
    assert (art.published_at, art.published_source) == ("2026-03-04T10:00:00+01:00", "meta")


def test_unbelievable_structured_date_still_lets_the_byline_count() -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": "2031-01-01T00:00:00+01:00"})
    byline = '<div class="article-byline">di Mario Rossi - 4 marzo 2026, 12:30</div>'
    art = run(article_html(head=head, byline=byline), fetched_at=FETCHED)
    assert (art.published_at, art.published_source) == ("2026-03-04T12:30:00+01:00", "page")


@pytest.mark.parametrize(
    ("naive", "expected"),
    [("2026-07-04T12:30:00", "2026-07-04T12:30:00+02:00"), ("2026-01-04T12:30:00", "2026-01-04T12:30:00+01:00")],
)
def test_naive_dates_are_rome_time(naive: str, expected: str) -> None:
    head = jsonld({"@type": "NewsArticle", "datePublished": naive})
    art = run(article_html(head=head), fetched_at="2026-08-01T10:00:00+00:00")
    assert art.published_at == expected


def test_no_date_anywhere_gives_none() -> None:
    art = run(article_html(), fetched_at=FETCHED)
    assert art.published_at is None and art.published_source is None and art.published_raw is None


def test_feed_date_when_page_has_none_and_feed_time_for_day_only_page() -> None:
    feed = Discovery(via="feed", source_url="https://www.example-sport.it/rss", date="2026-03-04T11:15:00+01:00")
    art = run(article_html(), fetched_at=FETCHED, discovery=feed)
    assert (art.published_at, art.published_source) == ("2026-03-04T11:15:00+01:00", "feed")

    head = jsonld({"@type": "NewsArticle", "datePublished": "2026-03-04"})
    art = run(article_html(head=head), fetched_at=FETCHED, discovery=feed)
    assert (art.published_at, art.published_source) == ("2026-03-04T11:15:00+01:00", "feed")


def test_sitemap_lastmod_is_the_last_resort_for_modified() -> None:
    sitemap = Discovery(via="sitemap", source_url="s", lastmod="2026-03-04T15:00:00+01:00")
    art = run(article_html(), fetched_at=FETCHED, discovery=sitemap)
    assert art.modified_at == "2026-03-04T15:00:00+01:00"
