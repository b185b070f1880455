"""The raw pages the archive keeps: compressed with zstd, read back whatever they were written with.

No DuckDB here: the extraction workers compress each page they extract and import only this.
"""

from __future__ import annotations

import gzip
import zlib

try:  # Python 3.14's standard library, the same API as its backport (a Scrapy dependency as well)
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - before 3.14
    from backports import zstd  # type: ignore[no-redef]

ZSTD_LEVEL = 3
"""zstd's own default. On the 130 corpus pages (348 KB of HTML each on average): zstd 3 63 KB a page
in 0.85 ms, ISA-L's gzip level 3 (the format before schema step 8) 75 KB in 0.93 ms, zlib's 6
67 KB in 5.5 ms, zstd 6 58 KB in 2.6 ms. A write batch's raw pages are most of what it writes:
250 pages of 63 KB took 86-90 ms of the writer's CPU, of 75 KB 98-110 ms, and the archive's
pages are a sixth smaller. Level 6 would cost the extraction workers 5% more CPU per page."""

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_MAGIC = b"\x1f\x8b"


class PageCodecError(ValueError):
    """A stored page that is neither zstd nor gzip, or is damaged."""


def compress(body: bytes) -> bytes:
    """The page as the archive keeps it (``pages.html_compressed``): a zstd frame."""
    return zstd.compress(body, level=ZSTD_LEVEL)


def decompress(blob: bytes | None) -> bytes:
    """A stored page back as served: zstd, or gzip for pages stored before schema step 8 (their
    first bytes tell which). Empty or missing (NULL) is an empty page."""
    if not blob:
        return b""
    try:
        if blob.startswith(ZSTD_MAGIC):
            return zstd.decompress(blob)
        if blob.startswith(GZIP_MAGIC):
            return gzip.decompress(blob)
    except (zstd.ZstdError, OSError, EOFError, zlib.error) as exc:
        raise PageCodecError(f"damaged stored page: {exc}") from exc
    raise PageCodecError(f"a stored page is neither zstd nor gzip (starts with {blob[:4].hex()})")
