"""Helpers the subcommand modules share: durations as people write them, and terminal-aware progress."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")


def parse_duration(text: str | float | int, default_unit: str = "s") -> float:
    """Seconds in "90s", "15m", "1h30m", "7d", "2w"; a bare number is in ``default_unit``.

    Raises ValueError naming the text when it is not a duration.
    """
    if isinstance(text, int | float):
        return float(text) * _UNITS[default_unit]
    s = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s) * _UNITS[default_unit]
    pos, total = 0, 0.0
    for m in _DURATION_RE.finditer(s):
        if s[pos : m.start()].strip():
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos == 0 or s[pos:].strip():
        raise ValueError(f"not a duration: {text!r} (write e.g. 30s, 15m, 1h, 7d)")
    return total


def format_duration(seconds: float) -> str:
    """The inverse for messages: 900 -> "15m", 5400 -> "1h30m", 1.5 -> "1.5s"."""
    if seconds < 60:
        return f"{seconds:g}s"
    out, rest = [], round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(out)


def interactive() -> bool:
    """True when a person watches stderr: progress bars then; quiet, log-friendly output otherwise."""
    return sys.stderr.isatty()


LOG_WIDTH = 140
"""Columns of tables printed into a file or pipe: rich would assume 80 and cut the outlet names."""


def table_console() -> Any:
    """A rich console for stdout tables: the terminal's width, or LOG_WIDTH for logs and mails."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else LOG_WIDTH)


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate ``items`` with a rich progress bar on a terminal; plainly (nothing drawn) otherwise.

    Cron and systemd capture stderr into mail and journals, where redrawn bars turn into
    hundreds of garbage lines; there a single log line at the end says what was done.
    """
    items = list(items) if total is None and not hasattr(items, "__len__") else items
    count = total if total is not None else len(items)  # type: ignore[arg-type]
    if not interactive():
        n = 0
        for n, item in enumerate(items, 1):  # noqa: B007  (n is read after the loop)
            yield item
        logger.info("%s: %d of %d done", description, n, count)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns: Any = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=count)
        for item in items:
            yield item
            bar.advance(task)
