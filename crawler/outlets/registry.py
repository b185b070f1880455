"""The outlet registry: built-in outlet modules plus outlets a user adds in a TOML file.

Built-in outlets are the modules of this package, one per outlet, each with an ``OUTLET``
(an :class:`~crawler.outlets.spec.OutletSpec`). Users add outlets without code through a TOML
file of ``[[outlet]]`` tables::

    [[outlet]]
    key = "feedsport"                  # required, snake_case
    name = "Feedsport"                 # optional, defaults to the key
    domains = ["127.0.0.21"]           # required: hosts (host:port pins one port), no scheme or path
    language = "it"                    # optional, ISO 639-1, default "it"
    article_url = '/calcio/\\d{4}/.+\\.html$'   # optional regex (re.search on the full URL)
    feeds = ["http://127.0.0.21:18121/rss/calcio.xml"]
    # also: sitemaps = [...], listing_pages = [...], robots = true,
    #       languages = ["it"], homepage = "http://127.0.0.21:18121/", notes = "..."

At least one of ``feeds``, ``sitemaps``, ``listing_pages`` or ``robots = true`` is required.
Every feed, sitemap, listing page and the homepage must be http(s) and on one of ``domains``:
nothing outside an outlet's domains is ever fetched. A domain may be ``host:port`` to pin one
port (a local mirror). An outlet that relies on ``robots = true`` alone should also give
``homepage`` (or a ``host:port`` domain), so the scheme and port of its robots.txt are known;
without them ``OutletSpec.robots_urls`` has to guess ``https://{domain}/robots.txt``.

Mistakes fail loudly with :class:`OutletFileError`, naming the file, the outlet and the field:
unknown fields (typos), wrong types, bad regexes, non-http(s) URLs, URLs outside ``domains``,
duplicate keys. A file outlet whose key equals a built-in key replaces the built-in one.

Evidence codes (E2, E11, ...) in the built-in modules' notes refer to the shared outlet facts
(``outlets.md``), which say where each fact was seen. Built-in ``article_url`` patterns end in
``(?:[?#].*)?$``: the spider matches a URL as discovered, before tracking parameters
(``?intcmp=...``, ``?utm_source=...``) are removed, and those must not turn an article away.
"""

from __future__ import annotations

import difflib
import importlib
import ipaddress
import logging
import os
import pkgutil
import re
import tomllib
from typing import Any
from urllib.parse import urlsplit

from crawler.outlets.spec import KEY_RE, OutletSpec, split_domain

logger = logging.getLogger(__name__)

PACKAGE = "crawler.outlets"
NOT_OUTLET_MODULES = frozenset({"spec", "registry"})
"""Modules of the package that hold machinery, not an outlet."""

FILE_FIELDS = (
    "key",
    "name",
    "domains",
    "feeds",
    "sitemaps",
    "robots",
    "listing_pages",
    "article_url",
    "language",
    "languages",
    "homepage",
    "notes",
)
"""Every field an ``[[outlet]]`` table may have; anything else is an error, so typos cannot pass."""

START_FIELDS = ("feeds", "sitemaps", "listing_pages")
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
# Dot-separated DNS labels of letters, digits and '-' (plus '_', which some real hosts use), no label
# starting or ending in '-'. Anything with a scheme or path fails, which is the point. A ':port'
# suffix is split off first (see spec.split_domain).
HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)


class OutletFileError(ValueError):
    """An outlet definition (a user TOML file or a built-in module) is malformed.

    A ValueError so that callers who only care about "bad input" can catch that; the message is
    meant for the person who wrote the file and names the file, the outlet and the field.
    """


class _FieldError(Exception):
    """Internal: one field of one outlet is wrong; turned into an OutletFileError with context."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field!r} {problem}")
        self.field = field


def _type_name(value: object) -> str:
    """TOML-flavoured type names for error messages (a TOML table is a dict to Python)."""
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _within(url: str, domains: tuple[str, ...]) -> bool:
    """``OutletSpec.owns`` itself, on a throw-away spec, so the loader can never disagree with the
    spider about which URLs an outlet owns (subdomains, ``host:port`` domains)."""
    return OutletSpec(key="probe", name="probe", domains=domains).owns(url)


def url_problem(url: str, domains: tuple[str, ...]) -> str | None:
    """Why this URL cannot be a start URL of an outlet on ``domains``, or None when it can.

    Shared by the TOML loader and the built-in checks so both refuse the same things: other
    schemes (file:, ftp:, feed:), URLs without a host, bad ports, and hosts outside ``domains``
    (we never fetch outside an outlet's domains).
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number in range
    except ValueError as exc:
        return f"has {url!r}, which is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"has {url!r}, which is not an http(s) URL"
    if not _within(url, domains):
        return (
            f"has {url!r}, whose host {parts.netloc.lower()!r} is not within domains {list(domains)}"
            " (we never fetch outside an outlet's domains)"
        )
    return None


# --- field readers: each returns the clean value or raises _FieldError ---------------------------


def _read_str(table: dict[str, Any], field: str, default: str = "") -> str:
    value = table.get(field, default)
    if not isinstance(value, str):
        raise _FieldError(field, f"must be a string, got {_type_name(value)}")
    return value.strip()


def _read_list(table: dict[str, Any], field: str, what: str) -> list[str]:
    """A list of non-empty strings; ``what`` names the items in the message ("URLs", "hosts")."""
    value = table.get(field, [])
    if not isinstance(value, list):
        raise _FieldError(field, f"must be a list of {what}, got {_type_name(value)}")
    items = []
    for position, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise _FieldError(field, f"must be a list of {what}, got {_type_name(item)} at position {position}")
        if not item.strip():
            raise _FieldError(field, f"must be a list of {what}, got an empty string at position {position}")
        items.append(item.strip())
    return items


def _read_domains(table: dict[str, Any]) -> tuple[str, ...]:
    if "domains" not in table:
        raise _FieldError("domains", "is required: the hosts the outlet's articles live on")
    hosts = _read_list(table, "domains", "hosts")
    if not hosts:
        raise _FieldError("domains", "must name at least one host")
    clean = []
    for host in hosts:
        domain = host.lower().rstrip(".")
        name, port = split_domain(domain)
        if not _is_host(name.rstrip(".")) or (port is not None and not 0 < port < 65536):
            raise _FieldError(
                "domains",
                f"must be a list of hosts such as 'www.example.it' or '127.0.0.1:8080' (no scheme or path), "
                f"got {host!r}",
            )
        clean.append(f"{name.rstrip('.')}:{port}" if port is not None else name.rstrip("."))
    return tuple(dict.fromkeys(clean))


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return HOST_RE.match(host) is not None
    return True


def _read_urls(table: dict[str, Any], field: str, domains: tuple[str, ...]) -> tuple[str, ...]:
    urls = _read_list(table, field, "URLs")
    for url in urls:
        problem = url_problem(url, domains)
        if problem:
            raise _FieldError(field, problem)
    return tuple(dict.fromkeys(urls))


def _read_homepage(table: dict[str, Any], domains: tuple[str, ...]) -> str:
    homepage = _read_str(table, "homepage")
    if homepage:
        problem = url_problem(homepage, domains)
        if problem:
            raise _FieldError("homepage", problem)
    return homepage


def _read_robots(table: dict[str, Any]) -> bool:
    value = table.get("robots", False)
    if not isinstance(value, bool):
        raise _FieldError("robots", f"must be true or false, got {_type_name(value)}")
    return value


def _read_regex(table: dict[str, Any]) -> str:
    pattern = _read_str(table, "article_url")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _FieldError("article_url", f"is not a valid regex: {exc} (regex {pattern!r})") from exc
    return pattern


def _read_language(table: dict[str, Any]) -> str:
    language = _read_str(table, "language", "it")
    if not LANGUAGE_RE.match(language):
        raise _FieldError("language", f"must be an ISO 639-1 code such as 'it' or 'en', got {language!r}")
    return language


def _read_languages(table: dict[str, Any]) -> tuple[str, ...]:
    languages = _read_list(table, "languages", "ISO 639-1 codes")
    for language in languages:
        if not LANGUAGE_RE.match(language):
            raise _FieldError("languages", f"must be a list of ISO 639-1 codes such as 'it' or 'en', got {language!r}")
    return tuple(dict.fromkeys(languages))


def _outlet_from_table(table: object, number: int, label: str) -> OutletSpec:
    """One ``[[outlet]]`` table to a spec; every error names the file, the outlet and the field."""
    if not isinstance(table, dict):
        raise OutletFileError(f"{label}: outlet #{number}: must be a table, got {_type_name(table)}")
    raw_key = table.get("key")
    where = f"outlet {raw_key!r}" if isinstance(raw_key, str) and raw_key.strip() else f"outlet #{number}"

    for field in table:
        if field not in FILE_FIELDS:
            close = difflib.get_close_matches(field, FILE_FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise OutletFileError(
                f"{label}: {where}: unknown field {field!r}{hint}; known fields: {', '.join(FILE_FIELDS)}"
            )

    try:
        if raw_key is None:
            raise _FieldError("key", "is required")
        key = _read_str(table, "key")
        if not KEY_RE.match(key):
            raise _FieldError(
                "key", f"must be snake_case (lower-case letters, digits and '_', starting with a letter), got {key!r}"
            )
        domains = _read_domains(table)
        name = _read_str(table, "name") or key
        feeds = _read_urls(table, "feeds", domains)
        sitemaps = _read_urls(table, "sitemaps", domains)
        listing_pages = _read_urls(table, "listing_pages", domains)
        robots = _read_robots(table)
        article_url = _read_regex(table)
        language = _read_language(table)
        languages = _read_languages(table)
        homepage = _read_homepage(table, domains)
        notes = _read_str(table, "notes")
    except _FieldError as exc:
        raise OutletFileError(f"{label}: {where}: {exc}") from None

    if not (feeds or sitemaps or listing_pages or robots):
        raise OutletFileError(
            f"{label}: {where}: nothing to crawl from: give at least one of the fields 'feeds', "
            "'sitemaps' or 'listing_pages', or set field 'robots' = true"
        )
    if not article_url and listing_pages:
        # Allowed (an empty pattern is documented in OutletSpec), but on listing pages it means
        # every same-domain link, menus included, is fetched as an article.
        logger.warning(
            "%s: outlet %r has listing_pages but no article_url: every link on them counts as an article",
            label,
            key,
        )
    try:
        return OutletSpec(
            key=key,
            name=name,
            domains=domains,
            feeds=feeds,
            sitemaps=sitemaps,
            robots=robots,
            listing_pages=listing_pages,
            article_url=article_url,
            language=language,
            languages=languages,
            homepage=homepage,
            notes=notes,
        )
    except ValueError as exc:  # the spec's own invariants; the checks above should have caught them
        raise OutletFileError(f"{label}: {where}: {exc}") from exc


def load_outlet_file(path: str | os.PathLike[str]) -> dict[str, OutletSpec]:
    """Read a user TOML file of ``[[outlet]]`` tables (format in the module docstring).

    Args:
        path: the TOML file; it is named as given in every error message.

    Returns:
        The file's outlets by key, in file order.

    Raises:
        OutletFileError: the file cannot be read, is not valid TOML, or any outlet in it is
            malformed. The whole file is refused: half-loading would crawl a different set of
            outlets than the user wrote down.
    """
    label = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise OutletFileError(f"{label}: cannot read outlets file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:  # its message carries the line and column
        raise OutletFileError(f"{label}: invalid TOML: {exc}") from exc

    for top in data:
        if top != "outlet":
            hint = " (outlets go in [[outlet]] tables)"
            raise OutletFileError(f"{label}: unknown top-level key {top!r}{hint}")
    tables = data.get("outlet")
    if tables is None:
        raise OutletFileError(f"{label}: no [[outlet]] tables found")
    if not isinstance(tables, list):
        raise OutletFileError(f"{label}: 'outlet' must be an array of tables ([[outlet]]), got {_type_name(tables)}")

    outlets: dict[str, OutletSpec] = {}
    numbers: dict[str, int] = {}
    for number, table in enumerate(tables, 1):
        spec = _outlet_from_table(table, number, label)
        if spec.key in outlets:
            raise OutletFileError(
                f"{label}: outlet {spec.key!r}: field 'key' is a duplicate (outlets #{numbers[spec.key]} "
                f"and #{number} both use it)"
            )
        outlets[spec.key] = spec
        numbers[spec.key] = number
    return outlets


def _check_builtin(where: str, module_name: str, spec: object) -> OutletSpec:
    """The invariants a built-in module must keep; a broken one stops the registry at load."""
    if not isinstance(spec, OutletSpec):
        raise OutletFileError(f"{where}: module must define OUTLET = OutletSpec(...), got {_type_name(spec)}")
    if spec.key != module_name:
        raise OutletFileError(f"{where}: outlet key {spec.key!r} must equal the module name {module_name!r}")
    for field in START_FIELDS:
        for url in getattr(spec, field):
            problem = url_problem(url, spec.domains)
            if problem:
                raise OutletFileError(f"{where}: outlet {spec.key!r}: field {field!r} {problem}")
    return spec


def load_builtin(package: str = PACKAGE) -> dict[str, OutletSpec]:
    """Every built-in outlet by key, sorted by key, found by listing the modules of the package.

    Discovery instead of a hand-kept list means adding an outlet is adding one file. Each module
    must define ``OUTLET`` whose key equals the module name (the key is also the spider argument
    and the fixture folder, so the two must not drift apart).

    Args:
        package: dotted name of the package to scan; tests point it at a throw-away package.

    Raises:
        OutletFileError: a module has no ``OUTLET``, two modules share a key (a copied module whose
            key was not changed), a key differs from its module name, or a start URL is outside
            the outlet's domains.
    """
    pkg = importlib.import_module(package)
    found: list[tuple[str, object]] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name in NOT_OUTLET_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        found.append((info.name, getattr(module, "OUTLET", None)))

    # Duplicates first: "two modules claim 'x'" says more than "module y is misnamed".
    owners: dict[str, list[str]] = {}
    for module_name, spec in found:
        key = getattr(spec, "key", None)
        if isinstance(key, str):
            owners.setdefault(key, []).append(module_name)
    for key, module_names in owners.items():
        if len(module_names) > 1:
            raise OutletFileError(
                f"{package}: duplicate outlet key {key!r} in modules {', '.join(map(repr, module_names))}"
            )

    outlets: dict[str, OutletSpec] = {}
    for module_name, spec in found:
        checked = _check_builtin(f"{package}.{module_name}", module_name, spec)
        outlets[checked.key] = checked
    return outlets


def select_outlets(keys: list[str] | None, outlets_file: str | os.PathLike[str] | None = None) -> list[OutletSpec]:
    """The outlets one crawl should cover, sorted by key.

    The built-in registry is merged with the outlets file; a file outlet with the same key as a
    built-in one replaces it (so a user can fix a feed URL without editing code).

    Args:
        keys: outlet keys to crawl. None (or an empty list) means "no selection": the file's
            outlets when a file is given, otherwise every built-in outlet.
        outlets_file: optional user TOML file (see the module docstring).

    Raises:
        OutletFileError: the file is malformed, or a key is unknown (the message lists the known
            keys).
    """
    outlets = load_builtin()
    from_file: dict[str, OutletSpec] = {}
    if outlets_file is not None:
        from_file = load_outlet_file(outlets_file)
        for key in from_file:
            if key in outlets:
                logger.info("outlet %r from %s replaces the built-in outlet", key, os.fspath(outlets_file))
        outlets.update(from_file)

    if not keys:
        chosen = from_file if outlets_file is not None else outlets
        return [chosen[key] for key in sorted(chosen)]

    unknown = [key for key in dict.fromkeys(keys) if key not in outlets]
    if unknown:
        source = f"built-in and from {os.fspath(outlets_file)}" if outlets_file is not None else "built-in"
        raise OutletFileError(
            f"unknown outlet key(s): {', '.join(map(repr, unknown))}; known outlets ({source}): "
            f"{', '.join(sorted(outlets))}"
        )
    return [outlets[key] for key in sorted(set(keys))]
