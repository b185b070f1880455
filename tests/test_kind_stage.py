"""SPORTNEWS_KEEP_KINDS: articles of kinds the crawl does not keep become page_kind rejects."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from pipeline.items import Discovery, ExtractedArticle, Reject
from pipeline.kind_stage import PAGE_KINDS, PageKindPipeline, parse_kinds


def article(kind: str) -> ExtractedArticle:
    url = f"https://www.example.it/{kind}"
    return ExtractedArticle(
        outlet="x", url=url, canonical_url=url, url_key=url, title="T", authors=[], published_at=None,
        published_raw=None, published_source=None, modified_at=None, description=None, section=None, tags=[],
        image=None, text="testo", language="it", language_prob=1.0, word_count=1, content_hash="h",
        page_kind=kind, fetched_at="2026-03-04T10:00:00+00:00", http_status=200, raw_html=b"",
        content_type="text/html", discovery=Discovery("listing", url),
    )  # fmt: skip


def test_default_keeps_every_kind() -> None:
    assert parse_kinds(defaults.SPORTNEWS_KEEP_KINDS) == frozenset(PAGE_KINDS)
    stage = PageKindPipeline.from_crawler(get_crawler())
    for kind in PAGE_KINDS:
        assert isinstance(stage.process_item(article(kind)), ExtractedArticle)


def test_other_kinds_become_rejects_and_are_counted() -> None:
    crawler = get_crawler(settings_dict={"SPORTNEWS_KEEP_KINDS": "article, live"})
    crawler.stats.open_spider()
    stage = PageKindPipeline.from_crawler(crawler)
    assert isinstance(stage.process_item(article("live")), ExtractedArticle)
    out = stage.process_item(article("paywalled"))
    assert isinstance(out, Reject) and out.reason == "page_kind" and out.url.endswith("/paywalled")
    assert "paywalled page" in out.detail and out.http_status == 200
    assert crawler.stats.get_value("sportnews/page_kind/paywalled") == 1
    other = Reject("x", "u", "no_text")
    assert stage.process_item(other) is other


def test_settings_are_checked() -> None:
    assert parse_kinds("all") == parse_kinds("") == parse_kinds(None) == frozenset(PAGE_KINDS)
    assert parse_kinds(["Video"]) == {"video"}
    with pytest.raises(ValueError, match="unknown page kind gallerie"):
        parse_kinds("article,gallerie")


def test_registered_between_language_and_dedupe() -> None:
    stages = defaults.ITEM_PIPELINES
    kind = stages["pipeline.kind_stage.PageKindPipeline"]
    assert stages["pipeline.language_stage.LanguagePipeline"] < kind < stages["pipeline.dedupe_stage.DedupePipeline"]
