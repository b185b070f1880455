"""JSON for requests in the shared queue: scrapy-redis' ``SCHEDULER_SERIALIZER`` without pickle.

scrapy-redis pickles requests by default, so anyone able to write to Redis could run code on
every worker. JSON needs a tag for the few non-JSON values a request dict holds: bytes (headers,
body) and the ``Discovery`` record in ``meta``. Anything else fails loudly at enqueue time.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Any

from pipeline.items import Discovery

_BYTES, _DISCOVERY, _PAIRS = "$bytes", "$discovery", "$pairs"
_TAGS = frozenset({_BYTES, _DISCOVERY, _PAIRS})


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Discovery):
        return {_DISCOVERY: asdict(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not (_TAGS & value.keys()):
            return {k: _encode(v) for k, v in value.items()}
        return {_PAIRS: [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot put a {type(value).__name__} into the shared request queue: {value!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        if _BYTES in value:
            return base64.b64decode(value[_BYTES])
        if _DISCOVERY in value:
            return Discovery(**value[_DISCOVERY])
        if _PAIRS in value:
            return {_hashable(_decode(k)): _decode(v) for k, v in value[_PAIRS]}
    return {k: _decode(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(obj: dict[str, Any]) -> bytes:
    """A request dict (``Request.to_dict``) as compact JSON bytes."""
    return json.dumps(_encode(obj), separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    """The request dict back; ``request_from_dict`` turns it into a Request."""
    return _decode(json.loads(data))
