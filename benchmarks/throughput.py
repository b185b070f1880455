"""Throughput benchmark: the full crawl against single-process extraction, measured in the same run.

    .venv/bin/python benchmarks/throughput.py [--pages 2000] [--corpus ../shared/corpus]

1. Builds a local outlet of N article pages from real-looking markup (the shared corpus when present,
   and the repository's fixture articles), each republished under a new URL with its words changed
   so that no dedupe layer folds them together, listed in a sitemap index of news sitemaps.
2. Measures the baseline: trafilatura ``bare_extraction`` alone over a sample of the same pages in
   this one process (pages/s); then the same in one process per core at once, the machine's own
   ceiling for the ratio.
3. Serves the outlet from a separate process and runs the real crawl (``sportnews crawl``'s code
   path, politeness delays off) into a fresh DuckDB file, sampling the RSS and PSS of the crawl and
   its worker processes, taking their CPU apart from the server's, and timing the DuckDB writes
   (wall time of the write thread, and the CPU time the writes themselves took).
4. Prints both and their ratio (ideal on 2 cores: 2.0).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORD_RE = re.compile(r"(?<=[\s>])([A-Za-zÀ-ÿ]{4,})(?=[\s<.,;:])")
TAG_RE = re.compile(r"(<[^>]*>)")
TEXT_WORD_RE = re.compile(r"(?:(?<=\s)|^)([A-Za-zÀ-ÿ]{4,})(?=[\s.,;:]|$)")
"""``WORD_RE`` within the text between two tags, where the tags' ``>`` and ``<`` are the ends."""
URLS_PER_SITEMAP = 1000


def source_pages(corpus: Path | None) -> list[str]:
    """Real pages first (the costly kind), then the repository's own fixture articles."""
    pages: list[str] = []
    if corpus and corpus.is_dir():
        pages += [gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in sorted(corpus.glob("*.html.gz"))]
    fixtures = ROOT / "tests" / "fixtures" / "sites"
    for p in sorted(fixtures.rglob("*.html")):
        text = p.read_bytes().decode("utf-8", "replace")
        if "<article" in text or "<p" in text:
            pages.append(text)
    if not pages:
        raise SystemExit("no source pages: pass --corpus or generate tests/fixtures/sites")
    return pages


def republish(page: str, url: str, rnd: random.Random, vocabulary: list[str]) -> str:
    """The page under a new URL, every third long word of its text replaced, so each copy is a new
    article. Only text between tags: a word inside a tag can be an attribute name (``async``,
    ``allowfullscreen``), and replacing those gave the 2,000 pages of a run 21,000 distinct tag and
    attribute names where their sources have 6,200: markup no outlet serves."""
    page = re.sub(r'(<link[^>]+rel=["\']canonical["\'][^>]*href=["\'])[^"\']*', lambda m: m.group(1) + url, page,
                  flags=re.I)  # fmt: skip
    page = re.sub(r'(<meta[^>]+property=["\']og:url["\'][^>]*content=["\'])[^"\']*', lambda m: m.group(1) + url,
                  page, flags=re.I)  # fmt: skip
    page = re.sub(r"\{\{BASE:[a-z0-9_]+\}\}", "{{BASE:bench}}", page)  # fixture pages name their own outlet
    counter = iter(range(10**9))

    def swap(m: re.Match[str]) -> str:
        return rnd.choice(vocabulary) if next(counter) % 3 == 0 else m.group(1)

    parts = TAG_RE.split(page)  # text, tag, text, tag, ..., text
    parts[::2] = [TEXT_WORD_RE.sub(swap, text) for text in parts[::2]]
    return "".join(parts)


def build_site(out: Path, n: int, corpus: Path | None, seed: int = 11) -> list[tuple[str, str]]:
    """Writes a fixture-server site folder; returns (url path, page text) of every article."""
    rnd = random.Random(seed)
    sources = source_pages(corpus)
    vocabulary = sorted({w for p in sources[:50] for w in WORD_RE.findall(p)})[:20000] or ["parola"]
    (out / "pages").mkdir(parents=True, exist_ok=True)
    routes: dict[str, dict[str, object]] = {}
    articles: list[tuple[str, str]] = []
    for i in range(n):
        path = f"/calcio/2026/03/{1 + i % 28:02d}/notizia-{i:06d}"
        page = republish(sources[i % len(sources)], "{{BASE:bench}}" + path, rnd, vocabulary)
        (out / "pages" / f"{i:06d}.html").write_text(page, encoding="utf-8")
        routes[path] = {"status": 200, "file": f"pages/{i:06d}.html", "type": "text/html; charset=utf-8"}
        articles.append((path, page))
    children = []
    for k in range(0, n, URLS_PER_SITEMAP):
        urls = "".join(
            f"<url><loc>{{{{BASE:bench}}}}{p}</loc><news:news><news:publication><news:name>Bench</news:name>"
            f"<news:language>it</news:language></news:publication><news:publication_date>{{{{AGO:1:iso}}}}"
            f"</news:publication_date><news:title>Notizia</news:title></news:news></url>"
            for p, _ in articles[k : k + URLS_PER_SITEMAP]
        )
        name = f"/sitemap-news-{k // URLS_PER_SITEMAP}.xml"
        routes[name] = {"status": 200, "type": "application/xml", "body": (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')}  # fmt: skip
        children.append(name)
    index = "".join(f"<sitemap><loc>{{{{BASE:bench}}}}{c}</loc></sitemap>" for c in children)
    routes["/sitemap_index.xml"] = {"status": 200, "type": "application/xml", "body": (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + index + "</sitemapindex>")}  # fmt: skip
    routes["/robots.txt"] = {"status": 200, "type": "text/plain", "body": "User-agent: *\nAllow: /\n"}
    outlet = {
        "name": "Bench",
        "language": "it",
        "article_url": r"/calcio/\d{4}/\d{2}/\d{2}/notizia-\d+$",
        "sitemaps": ["{{BASE:bench}}/sitemap_index.xml"],
        "feeds": [],
        "robots": False,
        "listing_pages": [],
    }
    manifest = {"outlets": {"bench": outlet}, "routes": {"bench": routes}}  # fmt: skip
    (out / "manifest.json").write_text(json.dumps(manifest))
    return articles


def site_pages(site: Path) -> list[tuple[str, Path]]:
    """(url path, file) of every article of a site ``build_site`` wrote, in its order."""
    routes = json.loads((site / "manifest.json").read_text())["routes"]["bench"]
    return [(path, site / route["file"]) for path, route in routes.items()
            if str(route.get("file", "")).startswith("pages/")]  # fmt: skip


def _warm_up(chosen: list[tuple[str, str]]) -> None:
    """One extraction first, untimed: trafilatura's imports and caches."""
    import trafilatura

    trafilatura.bare_extraction(chosen[0][1], with_metadata=True)


def _extract_each(chosen: list[tuple[str, str]]) -> None:
    """What the baselines time: bare_extraction with metadata, default options, every page."""
    import trafilatura

    for path, page in chosen:
        trafilatura.bare_extraction(page, url="http://127.0.0.1" + path, with_metadata=True)


def extraction_baseline(articles: list[tuple[str, str]], sample: int) -> tuple[float, int]:
    """Pages/s of trafilatura alone, one process."""
    chosen = articles[:sample]
    _warm_up(chosen)
    start = time.perf_counter()
    _extract_each(chosen)
    return len(chosen) / (time.perf_counter() - start), len(chosen)


def _extract_all(chosen: list[tuple[str, str]], ready: Any, go: Any, done: Any) -> None:
    """One process of the parallel reference: warm up, wait for the others, extract every page."""
    _warm_up(chosen)
    ready.put(1)
    go.wait()
    _extract_each(chosen)
    done.put(time.perf_counter())


def parallel_extraction(articles: list[tuple[str, str]], sample: int, processes: int) -> float:
    """Pages/s of trafilatura alone in ``processes`` processes at once, each over the same pages.

    What this machine gives when every core extracts and nothing else runs: the ceiling of the
    crawl here. Two processes on two virtual cores do not always run at twice the speed of one
    (caches and memory bandwidth are shared, and so may be the host's physical cores).
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    ready, done, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    chosen = articles[:sample]
    procs = [ctx.Process(target=_extract_all, args=(chosen, ready, go, done)) for _ in range(processes)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    start = time.perf_counter()
    go.set()
    end = max(done.get() for _ in procs)
    for p in procs:
        p.join()
    return processes * len(chosen) / (end - start)


def tree_pids(root_pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    pids, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += children.get(pid, [])
    return pids


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process. RSS counts shared pages (libraries, the interpreter) once per
    process; PSS splits them among the processes sharing them, so a sum of PSS is the memory the
    tree really holds."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class PeakSampler(threading.Thread):
    """Peak memory of a process tree (the crawl and its extraction workers), sampled every 0.25 s."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root_pid, self.stop_event = root_pid, threading.Event()
        self.peak_rss_kb = self.peak_pss_kb = self.peak_root_rss_kb = 0

    def run(self) -> None:
        while not self.stop_event.wait(0.25):
            sizes = {pid: memory_kb(pid) for pid in tree_pids(self.root_pid)}
            self.peak_rss_kb = max(self.peak_rss_kb, sum(r for r, _ in sizes.values()))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(p for _, p in sizes.values()))
            self.peak_root_rss_kb = max(self.peak_root_rss_kb, sizes.get(self.root_pid, (0, 0))[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


CRAWL_SCRIPT = """
import argparse, json, os, sys
from crawler.cli import crawl_settings, run_crawl
outlets, db, workers, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
ns = argparse.Namespace(log_level="ERROR", log_file=None, set=[
    "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    "SPORTNEWS_PROGRESS=False", "SPORTNEWS_EXTRACT_WORKERS=" + workers, *extra])
stats = run_crawl(crawl_settings(ns), None, outlets, db, 3650, None)
t = os.times()
print(json.dumps({"summary": stats.get("sportnews/summary", {}), "main_cpu_s": t.user + t.system,
                  "workers_cpu_s": t.children_user + t.children_system,
                  "write_s": stats.get("sportnews/store/write_seconds", 0.0),
                  "write_wait_s": stats.get("sportnews/store/write_wait_seconds", 0.0),
                  "write_cpu_s": stats.get("sportnews/store/write_cpu_seconds", 0.0),
                  "lookup_cpu_s": stats.get("sportnews/store/lookup_cpu_seconds", 0.0),
                  "batches": stats.get("sportnews/store/batches", 0)}, default=str))
"""
"""The crawl, in a process of its own so its memory and CPU are measured alone."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--baseline-sample", type=int, default=400, help="pages timed for the baseline")
    ap.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy/sportnews setting for the crawl (repeatable), to measure a knob",
    )
    ap.add_argument("--skip-baseline", action="store_true", help="measure the crawl only (for comparing knobs)")
    ap.add_argument("--site", type=Path, help="the site folder of an earlier --keep run, served again instead of "
                    "building one (--pages and --corpus are then its own)")  # fmt: skip
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sportnews-bench-"))
    if args.site:
        site = args.site.resolve()
        pages = site_pages(site)
        args.pages = len(pages)
        # Only the pages the baselines time are read: the crawl fetches the rest from the server.
        articles = [(path, file.read_text(encoding="utf-8")) for path, file in pages[: args.baseline_sample]]
        print(f"serving the {len(pages)} pages of {site}", flush=True)
    else:
        site = tmp / "site"
        t0 = time.perf_counter()
        articles = build_site(site, args.pages, args.corpus)
        print(f"built {len(articles)} pages in {time.perf_counter() - t0:.1f}s at {site}", flush=True)

    if args.skip_baseline:
        baseline, sampled = float("nan"), 0
    else:
        baseline, sampled = extraction_baseline(articles, min(args.baseline_sample, len(articles)))
    print(f"extraction_only_pages_s={baseline:.1f} (trafilatura bare_extraction, 1 process, {sampled} pages)",
          flush=True)  # fmt: skip
    cores = len(os.sched_getaffinity(0))
    if not args.skip_baseline and cores > 1:
        parallel = parallel_extraction(articles, min(args.baseline_sample, len(articles)), cores)
        print(
            f"parallel_extraction_pages_s={parallel:.1f} ({cores} processes at once, the same pages each: "
            f"{parallel / baseline:.2f}x one process, the ceiling of the ratio on this machine)",
            flush=True,
        )

    server = subprocess.Popen([sys.executable, "-m", "crawler.fixture_server", str(site), "--toml",
                               str(tmp / "outlets.toml")], stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert server.stdout is not None
    while "ready" not in (line := server.stdout.readline()):
        if not line:
            raise SystemExit("fixture server did not start")
    del articles  # the crawl is measured alone: this process must not hold the pages meanwhile
    crawl = subprocess.Popen(
        [sys.executable, "-c", CRAWL_SCRIPT, str(tmp / "outlets.toml"), str(tmp / "bench.duckdb"), str(args.workers),
         *args.set],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    sampler = PeakSampler(crawl.pid)
    sampler.start()
    wall0 = time.perf_counter()
    out, _ = crawl.communicate()
    wall = time.perf_counter() - wall0
    sampler.stop_event.set()
    sampler.join()
    server_cpu = cpu_seconds(server.pid)
    server.terminate()
    server.wait(10)
    if crawl.returncode != 0:
        raise SystemExit(f"the crawl failed (exit {crawl.returncode})")
    stats = json.loads(out.strip().splitlines()[-1])
    main_cpu, workers_cpu = float(stats["main_cpu_s"]), float(stats["workers_cpu_s"])
    cpu = main_cpu + workers_cpu
    summary = (stats.get("summary") or {}).get("bench", {})
    stored, fetched = int(summary.get("stored", 0)), int(summary.get("fetched", 0))
    write_s, write_cpu = float(stats.get("write_s", 0.0)), float(stats.get("write_cpu_s", 0.0))
    lookup_cpu = float(stats.get("lookup_cpu_s", 0.0))  # the near-duplicate lookup, part of write_cpu
    write_wait = float(stats.get("write_wait_s", 0.0))  # batches written, waiting for the event loop
    # Every fetched page went the whole way (article, duplicate or reject), as every page of the
    # baseline went through trafilatura: the two rates count the same pages.
    e2e = fetched / wall if wall else 0.0
    print(f"pages={args.pages} fetched={fetched} stored={stored} duplicates={summary.get('duplicates', 0)} "
          f"rejects={summary.get('rejects', 0)} wall_s={wall:.1f} "
          f"cpu_s={cpu:.1f} (crawl process {main_cpu:.1f}, workers {workers_cpu:.1f}; the local server took "
          f"{server_cpu:.1f} more) cpu_cores_busy={cpu / wall:.2f} peak_rss_mb={sampler.peak_rss_kb / 1024:.0f} "
          f"(crawl process {sampler.peak_root_rss_kb / 1024:.0f}) peak_pss_mb={sampler.peak_pss_kb / 1024:.0f} "
          f"duckdb_write_s={write_s:.2f} duckdb_write_share={write_s / wall:.1%} "
          f"(CPU {write_cpu:.2f}s, {write_cpu / wall:.1%} of wall, of which the near-duplicate lookup "
          f"{lookup_cpu:.2f}s and the rest {(write_cpu - lookup_cpu) / wall:.1%} of wall; "
          f"{stats.get('batches', 0)} batches; {write_wait:.2f}s more until the crawl's event loop took "
          f"each result back, {(write_s + write_wait) / wall:.1%} of wall with it)")  # fmt: skip
    print(f"end_to_end_pages_s={e2e:.1f} extraction_only_pages_s={baseline:.1f} ratio={e2e / baseline:.2f} "
          f"(stored articles only: {stored / wall:.1f}/s, ratio {stored / wall / baseline:.2f})")  # fmt: skip
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
