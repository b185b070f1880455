"""The crawl's start-up objects frozen out of the garbage collector while the spider runs (crawler/gc_freeze.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from crawler import gc_freeze
from crawler import settings as project_settings


class Node:
    """An object the collector tracks, and with ``other`` set to itself a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def tracked(obj: object) -> bool:
    """The collector's young or old generations hold ``obj`` (frozen objects are in neither)."""
    return any(o is obj for o in gc.get_objects())


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    """Every test starts and ends with nothing frozen, whatever it asserted."""
    gc.unfreeze()
    gc_freeze._open = 0
    yield
    gc.unfreeze()
    gc_freeze._open = 0


def crawl_signals(**settings: object) -> tuple[object, Spider]:
    """A crawler with the project's extensions (those that write, draw or log on a timer turned off) and a spider."""
    crawler = get_crawler(Spider, {"EXTENSIONS": project_settings.EXTENSIONS, "SPORTNEWS_RECORD_RUNS": False,
                                   "SPORTNEWS_PROGRESS": False, "LOGSTATS_INTERVAL": 0, **settings})  # fmt: skip
    return crawler, Spider("gc")


def test_a_crawl_freezes_what_it_started_with_and_collects_what_it_makes() -> None:
    crawler, spider = crawl_signals()
    before = Node()
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    frozen = crawler.stats.get_value("sportnews/gc/frozen_objects")
    assert frozen > 10_000 and gc.get_freeze_count() > 10_000  # the test process's modules, pytest's, Scrapy's
    assert not tracked(before)
    during = Node()
    during.other = during
    assert tracked(during)
    del during
    assert gc.collect() >= 1  # the cycle made during the crawl is still garbage collected
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    assert gc.get_freeze_count() == 0
    assert tracked(before)


def test_start_up_garbage_is_collected_before_the_freeze() -> None:
    crawler, spider = crawl_signals()
    cycle = Node()
    cycle.other = cycle
    del cycle  # garbage, but only the collector can free it
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    frozen_nodes = [o for o in gc.get_objects() if isinstance(o, Node)]
    gc.unfreeze()
    assert not frozen_nodes and not any(isinstance(o, Node) for o in gc.get_objects())


def test_turned_off_it_freezes_nothing() -> None:
    crawler, spider = crawl_signals(SPORTNEWS_GC_FREEZE=False)
    before = Node()
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    assert gc.get_freeze_count() == 0 and tracked(before)
    assert crawler.stats.get_value("sportnews/gc/frozen_objects") is None


def test_two_crawls_in_one_process_thaw_when_the_last_ends() -> None:
    (first, spider_a), (second, spider_b) = crawl_signals(), crawl_signals()
    first.signals.send_catch_log(signals.spider_opened, spider=spider_a)
    second.signals.send_catch_log(signals.spider_opened, spider=spider_b)
    first.signals.send_catch_log(signals.spider_closed, spider=spider_a, reason="finished")
    assert gc.get_freeze_count() > 0  # the second crawl still runs
    second.signals.send_catch_log(signals.spider_closed, spider=spider_b, reason="finished")
    assert gc.get_freeze_count() == 0
