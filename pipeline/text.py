"""Text fingerprints: the normalized form, its SHA-1 and a word count, shared by extraction and dedupe."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

# Anything that is neither a word character nor whitespace (punctuation, symbols, quotes of every
# typographic flavour) plus "_", which \w counts as a word character but is punctuation here.
_NOT_WORD_RE = re.compile(r"[^\w\s]|_")


def normalize_for_hash(text: str) -> str:
    """Fold the differences that copies of one article pick up on the way between outlets.

    NFKC unifies compatibility forms (non-breaking spaces, ligatures, full-width digits), casefold
    unifies case (also "ß"), punctuation and symbols become spaces (so ``’`` vs ``'`` or a dropped
    comma do not matter) and runs of whitespace, including paragraph breaks, collapse to one space.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD_RE.sub(" ", folded).split())


def content_hash(text: str) -> str:
    """SHA-1 hex of ``normalize_for_hash(text)``: equal for texts that differ only in form."""
    return hashlib.sha1(normalize_for_hash(text).encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    """Whitespace-separated tokens: what a reader would count in Italian (``l'allenatore`` is one)."""
    return len(text.split())
