"""Shared test hygiene: what one test changes in the pytest process must not outlive it."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _sigpipe_ignored_again() -> Iterator[None]:
    """Put SIGPIPE back to Python's SIG_IGN after each test.

    ``crawler.cli.main`` sets it to SIG_DFL so that ``sportnews query ... | head`` ends quietly;
    tests that call ``main`` in-process (evaluate, reprocess) left it so for the rest of the run,
    and the next local test server that wrote to a socket a killed crawl had closed took the
    whole pytest process down (exit 141) instead of getting a BrokenPipeError.
    """
    yield
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
