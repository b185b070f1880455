"""glibc's mmap threshold, fixed in the crawl process and its workers (pipeline/malloc_tuning.py).

What is checked is glibc's own behaviour: after a 30 MB block is freed, blocks of 24 MB are still
mapped one by one (and so given back when freed) instead of coming from the heap. Sizes this large
because glibc maps a block only when no free space of the heap can hold it, and a worker's heap
has free space after its warm-up: page-sized blocks could come from it either way.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import platform
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from pipeline.malloc_tuning import tune_malloc
from pipeline.pool import init_pool_worker

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc only"
)


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]  # fmt: skip


def blocks_mapped_after_a_large_free() -> int:
    """How many of four 24 MB blocks glibc maps, once a 30 MB mapped block has been freed."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.mallinfo2.restype = MallInfo2
    libc.free(libc.malloc(30 << 20))  # with glibc's adjustment the threshold is now 30 MB
    before = libc.mallinfo2().hblks
    blocks = [libc.malloc(24 << 20) for _ in range(4)]
    mapped = libc.mallinfo2().hblks - before
    for block in blocks:
        libc.free(block)
    return mapped


PROBE = (
    "import sys; from pipeline.malloc_tuning import tune_malloc; "
    "from tests.test_malloc_tuning import blocks_mapped_after_a_large_free as probe; "
    "tuned = tune_malloc(int(sys.argv[1])); print(tuned, probe())"
)


@pytest.mark.parametrize(("threshold", "expected"), [(131072, "True 4"), (0, "False 0")], ids=["tuned", "default"])
def test_page_sized_blocks_stay_mapped_once_tuned(threshold: int, expected: str) -> None:
    # A fresh interpreter each: the test process's own allocator state is not ours to change.
    out = subprocess.run([sys.executable, "-c", PROBE, str(threshold)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == expected.split()
    assert tune_malloc(0) is False  # nothing asked, nothing changed (in this process either)


def test_the_extraction_workers_are_tuned() -> None:
    ctx = multiprocessing.get_context("spawn")
    for threshold, expected in ((131072, 4), (0, 0)):
        with ProcessPoolExecutor(1, mp_context=ctx, initializer=init_pool_worker, initargs=(0, threshold)) as pool:
            assert pool.submit(blocks_mapped_after_a_large_free).result(timeout=60) == expected, threshold
