"""Canonical URL forms: one key per article whatever tracking, AMP or mobile dress its URL wears."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Parameters that only say where a click came from. courlan already drops utm_*, fbclid, gclid
# and friends; these are the ones seen on Italian outlets (GazzaNet's intcmp, RCS's ito/cmpid).
EXTRA_TRACKING_PARAMS = frozenset(
    {"intcmp", "ito", "cmpid", "xtor", "s_cid", "ref", "ref_src", "refresh_ce", "ncid", "ocid", "output"}
)
AMP_PARAMS = frozenset({"amp", "amp_js_v", "usqp"})
# Host prefixes of mobile and AMP editions that serve the same article as the main host.
VARIANT_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
AMP_PATH_RES = (
    re.compile(r"^/amp(?=/)"),  # /amp/calcio/...
    re.compile(r"/amp/?$"),  # /calcio/.../amp
    re.compile(r"[./_-]amp(?=\.s?html?$)"),  # article.amp.html, article_amp.shtml
)


def _drop_params(query: str, drop: frozenset[str]) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in drop]
    return urlencode(sorted(pairs))


def clean_url(url: str) -> str:
    """The URL a person would share: tracking parameters and fragment removed, host lower-cased.

    Scheme, host and path are kept as they are, so the result still points at the same page.
    Returns the input stripped when it cannot be parsed.
    """
    url = url.strip()
    try:
        normalized = normalize_url(url)
        parts = urlsplit(normalized)
    except (ValueError, AttributeError):
        return url
    query = _drop_params(parts.query, EXTRA_TRACKING_PARAMS)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def url_key(url: str) -> str:
    """A comparison key: equal for the http/https, www/m/amp, AMP-path and tracking variants of a URL.

    Not a fetchable URL: the scheme is dropped and the path folded. Used to recognise that two URLs
    name the same article before and after fetching.
    """
    cleaned = clean_url(url)
    try:
        parts = urlsplit(cleaned)
        port_number = parts.port
    except ValueError:  # "http://[::1", a port past 65535: no key to fold, the text is the key
        return cleaned
    host = (parts.hostname or "").lower()
    for prefix in VARIANT_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    port = f":{port_number}" if port_number and port_number not in (80, 443) else ""
    path = parts.path or "/"
    for amp_re in AMP_PATH_RES:
        path = amp_re.sub("", path) or "/"
    path = path.rstrip("/") or "/"
    query = _drop_params(parts.query, EXTRA_TRACKING_PARAMS | AMP_PARAMS)
    return f"{host}{port}{path}" + (f"?{query}" if query else "")


def same_site(a: str, b: str) -> bool:
    """True when two URLs share their registrable part (last two host labels, or the same IP)."""
    ha, hb = (urlsplit(a).hostname or "").lower(), (urlsplit(b).hostname or "").lower()
    if not ha or not hb:
        return False
    if re.fullmatch(r"[\d.]+", ha) or re.fullmatch(r"[\d.]+", hb):
        return ha == hb
    return ha.split(".")[-2:] == hb.split(".")[-2:]


def article_id_for(key: str) -> str:
    """The article id: 16 hex chars of sha1(url_key), so every run and process agrees on it."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
