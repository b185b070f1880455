"""Workers' last pipeline stage: outcomes go to a Redis stream for ingest instead of into DuckDB."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from typing import Any

from redis import Redis
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.distributed.keys import Keys
from crawler.distributed.redisconf import redis_from_settings
from pipeline.items import Discovery, Duplicate, ExtractedArticle, Reject
from storage import page_codec

logger = logging.getLogger(__name__)

Item = ExtractedArticle | Duplicate | Reject

STREAM_MAX = 10_000
"""Messages the stream may hold before workers wait for ingest. A message is mostly the gzipped
page (~20-40 KB for real articles), so 10,000 keep Redis under ~0.5 GB while ingest is down or
slow, instead of growing until Redis runs out of memory."""
ROOM_CHECK_EVERY = 50
"""Items between two looks at the stream's length (one XLEN round trip)."""


def encode_item(item: Item, run_id: str) -> dict[str, bytes | str]:
    """Stream fields of one outcome: ``kind``, ``run``, ``item`` (JSON) and, for articles, ``html_compressed``."""
    data = asdict(item)
    fields: dict[str, bytes | str] = {"run": run_id}
    if isinstance(item, ExtractedArticle):
        fields["kind"] = "article"
        raw, html_compressed = data.pop("raw_html") or b"", data.pop("html_compressed", None)
        fields["html_compressed"] = html_compressed or page_codec.compress(raw)
        signature = data.pop("minhash", None)
        if signature:
            fields["minhash"] = signature  # bytes travel as a stream field of their own, not in the JSON
    elif isinstance(item, Duplicate):
        fields["kind"] = "duplicate"
    else:
        fields["kind"] = "reject"
    fields["item"] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return fields


def _text(value: bytes | str | None) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else (value or "")


def decode_fields(fields: dict[Any, Any]) -> dict[str, Any]:
    """Field names as str whatever the client returned."""
    return {_text(k): v for k, v in fields.items()}


def decode_item(fields: dict[str, Any]) -> Item:
    """The dataclass back from stream fields; raises ValueError on a message that is not ours."""
    kind = _text(fields.get("kind"))
    try:
        data = json.loads(_text(fields.get("item")))
        if kind == "article":
            data["discovery"] = Discovery(**data["discovery"])
            # "html_gz": the field's name before zstd, from a worker not yet upgraded (gzip, read the same)
            html_compressed = fields.get("html_compressed") or fields.get("html_gz") or b""
            data["raw_html"] = page_codec.decompress(html_compressed)
            data["html_compressed"] = html_compressed or None
            data["minhash"] = fields.get("minhash") or None
            return ExtractedArticle(**data)
        if kind == "duplicate":
            return Duplicate(**data)
        if kind == "reject":
            return Reject(**data)
    except (TypeError, KeyError, json.JSONDecodeError, OSError, EOFError) as exc:
        raise ValueError(f"malformed {kind or 'unknown'} message: {exc}") from exc
    raise ValueError(f"unknown message kind {kind!r}")


class RedisStreamPipeline:
    """XADDs every article, duplicate and reject to the fleet's items stream (ingest reads it).

    Workers never open the archive: DuckDB allows one writing process, and the archive may be on
    another machine. The request that produced an item is acknowledged in the frontier only after
    this stage returned, so an item is in the stream before its lease is released. When ingest
    falls ``SPORTNEWS_REDIS_STREAM_MAX`` messages behind, this stage waits, and Scrapy stops
    downloading: memory stays bounded on the worker and in Redis.
    """

    def __init__(self, server: Redis, stream: str, run_id: str, max_len: int = STREAM_MAX,
                 crawler: Crawler | None = None) -> None:  # fmt: skip
        self.server, self.stream, self.run_id, self.max_len = server, stream, run_id, max_len
        self.crawler = crawler
        self.since_check = ROOM_CHECK_EVERY

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisStreamPipeline:
        s = crawler.settings
        if not (s.get("REDIS_URL") and s.get("SPORTNEWS_REDIS_RUN")):
            raise NotConfigured("RedisStreamPipeline needs REDIS_URL and SPORTNEWS_REDIS_RUN (a distributed crawl)")
        keys = Keys(s.get("SPORTNEWS_REDIS_PREFIX") or "sportnews")
        return cls(redis_from_settings(s), keys.items, s.get("SPORTNEWS_REDIS_RUN"),
                   s.getint("SPORTNEWS_REDIS_STREAM_MAX", STREAM_MAX), crawler)  # fmt: skip

    async def _wait_for_room(self) -> None:
        self.since_check += 1
        if self.since_check < ROOM_CHECK_EVERY:
            return
        self.since_check = 0
        warned = False
        while self.server.xlen(self.stream) >= self.max_len:
            if not warned:
                logger.warning("ingest is %d messages behind: waiting before sending more", self.max_len)
                warned = True
            self.since_check = ROOM_CHECK_EVERY  # look again before the next item too
            await asyncio.sleep(0.5)

    async def process_item(self, item: object) -> object:
        if not isinstance(item, ExtractedArticle | Duplicate | Reject):
            return item
        await self._wait_for_room()
        fields = encode_item(item, self.run_id)
        self.server.xadd(self.stream, fields)  # type: ignore[arg-type]
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"sportnews/stream/{fields['kind']}")
        return item
