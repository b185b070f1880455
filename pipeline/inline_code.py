"""Inline scripts and styles emptied from a page before it is decoded and parsed.

Nothing the extraction reads is in them: trafilatura and htmldate drop ``<script>`` and
``<style>`` elements before they look at a page, and the one kind of script we read ourselves,
JSON-LD, is kept whole. But a page carries them through everything that comes before: the charset
checks over the whole body, the decoded text (four bytes a character once a page has one character
above U+FFFF), lxml's tree, and trafilatura's copy of it. On the 130 pages of ``../shared/corpus``
they are half the bytes; on its largest pages (1.6-2.6 MB: bundled scripts, inline CSS) 85-95%.
A worker extracting three of those grew by 27-29 MB for a moment and spent 69-82 ms of CPU; with
them emptied 0-2 MB and 33-43 ms. Over the 130 pages extraction took 8-9% less CPU, and every
record came out the same (tests/test_corpus.py checks it).

The elements stay, emptied, so the document keeps its shape. The scan follows HTML's rules
closely enough for that: an element opens with ``<script`` or ``<style`` followed by a space,
``/`` or ``>`` (quoted attribute values may hold a ``>``), and its text runs to the first
``</script`` or ``</style`` (any case); nothing inside a comment is a tag; an element left open
keeps the rest of the page as it is.
"""

from __future__ import annotations

import re

_OPENING = re.compile(rb"""<(script|style)(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>|<!--""")
"""An opening script or style tag (the element's name in group 1), or the start of a comment."""
_CLOSING = {b"script": re.compile(rb"</script[\s/>]"), b"style": re.compile(rb"</style[\s/>]")}
_KEPT = b"ld+json"
"""A script whose opening tag says this (``type="application/ld+json"``) is read by extract.py."""


def strip_inline_code(body: bytes) -> bytes:
    """``body`` with the text of its scripts and styles removed, JSON-LD scripts kept.

    Works on the raw bytes, before decoding: the tags are ASCII, and the encodings pages declare
    (UTF-8, windows-1252, ISO-8859-*) keep ASCII as it is. A UTF-16 page never matches and is
    returned unchanged.
    """
    lowered = body.lower()  # bytes.lower folds ASCII only: the same offsets as body
    parts: list[bytes] = []
    kept_from = searched_from = 0
    while match := _OPENING.search(lowered, searched_from):
        name = match.group(1)
        if name is None:  # a comment: a tag inside it is text
            end = lowered.find(b"-->", match.end())
            if end < 0:
                break
            searched_from = end + 3
            continue
        closing = _CLOSING[name].search(lowered, match.end())
        if closing is None:
            break
        if closing.start() > match.end() and not (name == b"script" and _KEPT in lowered[match.start() : match.end()]):
            parts.append(body[kept_from : match.end()])
            kept_from = closing.start()
        searched_from = closing.end()
    if not parts:
        return body
    parts.append(body[kept_from:])
    return b"".join(parts)
