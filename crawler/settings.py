"""Scrapy settings: polite by default, and every sportnews knob in one place with its reason."""

from __future__ import annotations

BOT_NAME = "sportnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- sportnews settings (prefixed, documented in README.md "Settings") -----------------------
SPORTNEWS_DB = "data/sportnews.duckdb"
"""The archive file."""
SPORTNEWS_SINCE_DAYS = 2.0
"""Recency window: feed and sitemap entries dated older than this are not fetched."""
SPORTNEWS_MAX_ARTICLES = 0
"""Per outlet and run, the most article pages fetched (0: no limit)."""
SPORTNEWS_OUTLETS_FILE = ""
"""A TOML file of extra outlets (see README.md "Adding outlets")."""
SPORTNEWS_CONTACT_URL = "https://github.com/sportnews/sportnews"
"""Where an outlet's admin can read who we are; part of the user agent."""
SPORTNEWS_EXTRACT_WORKERS = 0
"""Extraction worker processes; 0 means one per CPU core."""
SPORTNEWS_EXTRACT_NICE = 10
"""Niceness added to the extraction workers, so that the crawl process (downloads, the write
batches) never waits for a core behind its own workers: with both cores extracting, each write
batch waited for one (2,000 pages, benchmarks/throughput.py: writes 3.6-3.8 s of wall for 2.0-2.1 s
of CPU at 0, 2.1-2.8 s for 1.8-2.3 s at 10, at the same throughput). The workers still take every
core the crawl process leaves idle; 0 runs them at the crawl's priority."""
SPORTNEWS_EXTRACT_QUEUE = 64
"""Pages waiting for or in extraction at most; downloading pauses beyond it so memory stays flat."""
SPORTNEWS_MALLOC_MMAP_THRESHOLD = 131072
"""Bytes from which glibc's malloc maps an allocation of its own, given back when freed, in the crawl
process and its workers (pipeline/malloc_tuning.py says why); 0 leaves glibc's adjusting default."""
SPORTNEWS_GC_FREEZE = True
"""Objects of the crawl's start-up frozen out of the garbage collector's full collections while the
spider runs (crawler/gc_freeze.py says why); False collects them as Python does by default."""
SPORTNEWS_BATCH_SIZE = 500
"""Articles per write transaction at most (with the duplicates and rejects buffered meanwhile);
a write is due once this many rows wait. About half of a batch's cost does not follow its rows (the
near-duplicate lookup's pass over the window's band index, the commit's checkpoint and its syncs, the
attach and detach), and its memory does: DuckDB holds about 2.5 times the batch's compressed raw
pages until the commit, on top of the buffered rows. 20,000 pages (benchmarks/throughput.py,
2026-12-07): writes 13.3-15.1 s (4.9-5.2% of the wall time), peak 511-522 MB at 500; 17.9 s (6.6%),
477 MB at 250; at 1,000 an earlier run peaked at 631 MB. README.md says what it trades. A crawl
slower than its batches (a polite crawl of a few outlets) writes every SPORTNEWS_FLUSH_SECONDS
whatever this is. Re-run benchmarks/throughput.py after changing it."""
SPORTNEWS_FLUSH_SECONDS = 15.0
"""A partial batch is written once its oldest row has waited this long, so analysts see progress
within seconds and a killed crawl loses at most this much extraction (those URLs are fetched
again next run)."""
SPORTNEWS_WRITE_MEMORY_LIMIT = "64MB"
"""DuckDB's memory limit while the crawl writes a batch, raised for a batch of large pages to three
times their size (storage/writer.py WRITE_MEMORY_LIMIT says why); empty for DuckDB's own default,
80% of RAM. A batch that needs more is written again without it."""
SPORTNEWS_LOCK_TIMEOUT = 30.0
"""Seconds a write waits for another process that holds the archive."""
SPORTNEWS_SITEMAP_DEPTH = 4
"""Nested sitemap indexes followed at most this deep (loops are cut by a seen-set too)."""
SPORTNEWS_SITEMAP_MAX = 500
"""Child sitemaps read per outlet and run, at most (newest first). Indexes list one sitemap per day
or month, and those unchanged inside the window are skipped anyway; 500 leaves room for daily
sitemaps of more than a year while a hostile index of 100,000 children costs 500 requests."""
SPORTNEWS_FRONTIER_WINDOW = 100
"""Article requests per outlet between the scheduler and their callback, at most; the other claimed
URLs wait in the spider's backlog as (URL, discovery) pairs instead of as live Requests (a 20,000-URL
sitemap no longer holds 60-70 MB of the crawl process). Must exceed CONCURRENT_REQUESTS_PER_DOMAIN to
keep an outlet's downloads busy. 0 queues every URL at once, as Scrapy does (and as it is with JOBDIR
or the Redis frontier)."""
SPORTNEWS_REDIRECT_MAX = 5
"""Redirect hops followed per article URL."""
SPORTNEWS_RETRY_BACKOFF_BASE = 2.0
SPORTNEWS_RETRY_BACKOFF_MAX = 60.0
"""Retries wait base * 2**attempt seconds (at most max); a Retry-After header wins up to max."""
SPORTNEWS_KEEP_KINDS = "all"
"""Page kinds stored (comma-separated: article, live, gallery, video, paywalled); pages of other
kinds become rejects with reason ``page_kind``. "all" keeps every kind."""
SPORTNEWS_PROGRESS = True
"""Per-outlet progress on the terminal during `sportnews crawl`."""
SPORTNEWS_PRIVATE_NETWORKS: list[str] = []
"""CIDRs an outlet on public hosts may never fetch from; empty: every address that is not global
(loopback, RFC 1918, link-local, ...). See crawler.middlewares.OutletBoundsMiddleware."""

# --- politeness ------------------------------------------------------------------------------
USER_AGENT = f"sportnews/0.1 (+{SPORTNEWS_CONTACT_URL})"
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "crawler.middlewares.CappedRobotParser"  # reads the first 512 KiB, as Google does
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # 10 MB: the largest real article pages are ~2 MB
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # before RobotsTxtMiddleware (100), so an offsite redirect does not even fetch its robots.txt
    "crawler.middlewares.OutletBoundsMiddleware": 90,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}

ITEM_PIPELINES = {
    "pipeline.extract_stage.ExtractPipeline": 100,
    "pipeline.language_stage.LanguagePipeline": 200,
    "pipeline.kind_stage.PageKindPipeline": 250,
    "pipeline.dedupe_stage.DedupePipeline": 300,
    "pipeline.store_stage.StorePipeline": 900,
}

EXTENSIONS = {
    "crawler.run_record.RunRecorder": 500,
    "crawler.progress.CrawlProgress": 510,
    "crawler.gc_freeze.FreezeStartup": 520,
}

# Pages are large: let fewer responses queue in the scraper before downloading pauses.
# News feeds list newest first: fetch in that order (Scrapy defaults to LIFO).
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 20_000_000
CONCURRENT_ITEMS = 8
"""Outputs of one response (items and requests) processed at once. Scrapy starts this many asyncio
tasks for every response, whatever it yields (scrapy/scrapy#5182): at its default of 100, an article
page that yields one item cost 101 tasks, and 8,000 of them were alive at once in a 20,000-page
crawl, walked by every garbage collection. At 8, the crawl process of that crawl took 97 s of CPU
instead of 125 and its full collections 0.9 s instead of 5.3 (benchmarks/throughput.py's site, the
crawl-only run). A sitemap's thousands of requests are still handed on eight at a time, each in
microseconds; what may wait (an item held by a write batch) waits anyway."""
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
