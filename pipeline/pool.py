"""The extraction pool: worker processes that do the per-page CPU work off the reactor thread."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from pipeline.items import ExtractedArticle, FetchedPage, Reject
from pipeline.malloc_tuning import tune_malloc
from pipeline.worker import init_worker, process_page

logger = logging.getLogger(__name__)

# How often a worker checks that the crawl process that started it is still there. A second is
# nothing next to a crawl, and the check is one getppid() call.
ORPHAN_CHECK_SECONDS = 1.0


def _exit_when_orphaned(parent: int) -> None:
    """End this worker once its crawl process is gone (killed with SIGKILL, or by the OOM killer).

    Nothing else would: the worker waits on a queue it holds both ends of, so it never sees EOF,
    and each orphan kept ~100 MB of extraction models alive until the next reboot.
    """
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def init_pool_worker(nice: int = 0, mmap_threshold: int = 0) -> None:
    """Worker initializer: leave SIGINT and SIGTERM to the crawl process, lower its priority, tune
    malloc (pipeline/malloc_tuning.py), warm up.

    Ctrl-C at a terminal, and ``systemctl stop``, signal the whole process group. A worker that
    died of it turned the pages it held into extraction errors, and broke the pool for the rest,
    in the very shutdown that is meant to store what was fetched. The crawl process decides when
    to stop; it then closes the pool, which ends the workers once their queue is done.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if nice:
        try:
            os.nice(nice)
        except OSError:  # not permitted here: the worker runs at the crawl's priority
            logger.debug("could not lower the priority of extraction worker %d", os.getpid())
    tune_malloc(mmap_threshold)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True).start()
    init_worker()


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """SIGINT and SIGTERM ignored in this process for the block, for the processes it spawns to
    inherit. One that arrives meanwhile (the milliseconds of two spawns) is lost. A no-op outside
    the main thread, where Python cannot change signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in saved:
        signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def default_workers() -> int:
    """One worker per core the process may use: extraction is CPU-bound."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ExtractionPool:
    """A bounded process pool fed from asyncio.

    Scrapy runs item pipelines on its single reactor thread, and extraction costs ~40 ms of CPU per
    real page: called inline it would stall downloading and use one core. Here pages go to
    ``workers`` processes as bytes and come back as plain records; a semaphore bounds the pages in
    flight so memory stays flat while downloads go on.
    """

    def __init__(self, workers: int = 0, max_pending: int = 64, nice: int = 0, mmap_threshold: int = 0) -> None:
        self.workers = workers or default_workers()
        self.nice = nice
        self.mmap_threshold = mmap_threshold
        self.max_pending = max(max_pending, self.workers)
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None

    def start(self) -> None:
        """Start the workers now, each immune to SIGINT and SIGTERM from its first instruction.

        ProcessPoolExecutor spawns a worker at a submit that finds none idle, and a spawned worker
        runs a new interpreter and imports the extraction stack for half a second before its
        initializer ignores those signals: a Ctrl-C to the process group in that window (the first
        page of a crawl) killed it with a KeyboardInterrupt, the pool broke, and its pages became
        rejects. So the workers are spawned here, one warm-up task each, with both signals ignored:
        an ignored signal stays ignored across exec, and Python leaves an ignored SIGINT alone.
        """
        # "spawn": forking a process that runs the Twisted reactor and threads is unsafe.
        ctx = multiprocessing.get_context("spawn")
        with _signals_ignored():
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                                 initializer=init_pool_worker,
                                                 initargs=(self.nice, self.mmap_threshold))  # fmt: skip
            for _ in range(self.workers):
                self._executor.submit(os.getpid)  # none idle yet: each submit spawns one worker

    async def process(self, page: FetchedPage) -> ExtractedArticle | Reject:
        """Extract one page in a worker; a crashed worker becomes a reject, never an exception."""
        if self._executor is None:
            self.start()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_pending)
        async with self._slots:
            assert self._executor is not None
            try:
                future = self._executor.submit(process_page, page)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool as exc:
                logger.error("an extraction worker died (%s); restarting the pool", exc)
                self._restart()
                return Reject(page.outlet, page.url, "extraction_error", f"worker process died: {exc}",
                              page.http_status)  # fmt: skip
            except Exception as exc:  # pickling or anything unexpected: the page alone fails
                logger.exception("extraction of %s failed", page.url)
                return Reject(page.outlet, page.url, "extraction_error", f"{type(exc).__name__}: {exc}",
                              page.http_status)  # fmt: skip

    def _restart(self) -> None:
        old, self._executor = self._executor, None
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
        self.start()

    def close(self, **_: Any) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
