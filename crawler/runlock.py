"""One crawl at a time per archive: an advisory lock file next to the database, held for the whole run."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".crawl.lock"
# How often a waiting run tries the lock again. A crawl lasts minutes; half a second of extra
# wait is nothing, and polling costs one syscall.
POLL_SECONDS = 0.5


def lock_path(db: str | Path) -> Path:
    """``<db>.crawl.lock``: next to the archive, so every way of starting a crawl finds the same file."""
    db = Path(db)
    return db.with_name(db.name + LOCK_SUFFIX)


class RunLockBusy(RuntimeError):
    """Another crawl holds the archive's run lock."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"previous run still holds {path}" + (f" ({holder})" if holder else ""))


class RunLock:
    """An exclusive ``fcntl.flock`` on ``<db>.crawl.lock`` for the length of one crawl.

    DuckDB's own file lock is taken per batch only (readers get in between), so it cannot tell
    two crawls apart: two runs of the same archive would interleave their batches and fetch the
    same URLs twice. The lock file is taken by ``sportnews crawl`` itself, so runs started by
    ``sportnews schedule``, cron, a systemd timer or a person at a terminal all exclude each
    other. The kernel drops a flock when its process dies, so a killed crawl never leaves a
    stale lock behind; the file stays, holding the last holder's pid and start time for messages.
    """

    def __init__(self, db: str | Path) -> None:
        self.path = lock_path(db)
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._file is not None

    def holder(self) -> str:
        """What the lock file says about its last holder ("pid 123 since 2026-03-04T10:00:00+00:00")."""
        try:
            return self.path.read_text("utf-8").strip()
        except OSError:
            return ""

    def acquire(self, wait: float = 0.0) -> RunLock:
        """Take the lock, waiting up to ``wait`` seconds; raises RunLockBusy when still held by another."""
        if self._file is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a": never truncate a file another process holds; we rewrite it once the lock is ours.
        f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115  (kept open as long as the lock is held)
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    f.close()
                    raise RunLockBusy(self.path, self.holder()) from None
                time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
            except OSError:
                f.close()
                raise
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        f.flush()
        self._file = f
        logger.debug("run lock %s taken", self.path)
        return self

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        finally:
            f.close()
        logger.debug("run lock %s released", self.path)

    def is_busy(self) -> bool:
        """True when another process (or another RunLock object) holds the lock right now.

        A probe: the answer may be stale a moment later, so a caller that acts on "free" must
        still take the lock (``sportnews crawl`` does).
        """
        if self._file is not None:
            return False
        if not self.path.exists():
            return False
        try:
            with open(self.path, encoding="utf-8") as f:
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
                return False
        except OSError:
            return False

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
