"""Tests for the discovery parsers: feeds, sitemaps, robots.txt, listing pages and dates."""

from __future__ import annotations

import gzip
import zlib
from datetime import datetime

import feedparser
import pytest

import crawler.discovery.robots
import crawler.discovery.sitemaps
from crawler.discovery import (
    MAX_DECOMPRESSED,
    Entry,
    Link,
    extract_links,
    parse_feed,
    parse_rfc822,
    parse_robots_sitemaps,
    parse_sitemap,
    parse_w3c_date,
    to_iso,
)

# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-09-11", "2026-09-11T00:00:00+02:00"),  # naive: Rome, summer time
        ("2026-01-15T10:00:00", "2026-01-15T10:00:00+01:00"),  # naive: Rome, winter time
        ("2026-09-11T10:00+02:00", "2026-09-11T10:00:00+02:00"),
        ("2026-09-11T08:00:00Z", "2026-09-11T08:00:00+00:00"),
        ("2026-09-11T10:00:00.000+0200", "2026-09-11T10:00:00+02:00"),
        ("2026-09-11T10:00:00.123456-04:00", "2026-09-11T10:00:00-04:00"),
        ("2026-09-11 10:00:00", "2026-09-11T10:00:00+02:00"),
        (" 2026-09-11T08:00:00+00:00\n", "2026-09-11T08:00:00+00:00"),
    ],
)
def test_parse_w3c_date(raw: str, expected: str) -> None:
    dt = parse_w3c_date(raw)
    assert dt is not None
    assert to_iso(dt) == expected


@pytest.mark.parametrize("raw", ["", "ieri", "2026-13-01", "2026-02-30T10:00:00Z", "11/09/2026"])
def test_parse_w3c_date_rejects(raw: str) -> None:
    assert parse_w3c_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("lun, 28 set 2026 17:22:23 GMT", "2026-09-28T17:22:23+00:00"),  # Sky Sport's pubDate
        ("mer, 04 mar 2026 12:30:00 +0100", "2026-03-04T12:30:00+01:00"),
        # "mar" twice: martedì as the weekday, marzo as the month
        ("mar, 03 mar 2026 09:15:00 +0100", "2026-03-03T09:15:00+01:00"),
        ("mar, 22 set 2026 19:05:10 GMT", "2026-09-22T19:05:10+00:00"),
        ("mercoledì 4 marzo 2026", "2026-03-04T00:00:00+01:00"),
        ("Mercoledi, 4 Marzo 2026 12:30", "2026-03-04T12:30:00+01:00"),
        ("dom, 25 ott 2026 10:00:00 CEST", "2026-10-25T10:00:00+02:00"),
        ("ven, 11 sett. 2026 08:00:00 +02:00", "2026-09-11T08:00:00+02:00"),
        ("gio, 01 gen 2026 00:00:00 -0000", "2026-01-01T00:00:00+00:00"),
        ("Mon, 28 Sep 2026 17:22:23 +0200", "2026-09-28T17:22:23+02:00"),
        ("28 Sep 26 17:22 GMT", "2026-09-28T17:22:00+00:00"),
        ("Fri, 11 Sep 2026 10:00:00 +0200 (CEST)", "2026-09-11T10:00:00+02:00"),
    ],
)
def test_parse_rfc822_italian_and_english(raw: str, expected: str) -> None:
    dt = parse_rfc822(raw)
    assert dt is not None
    assert to_iso(dt) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "xyz, 28 set 2026 17:22:23 GMT",  # not a weekday
        "lun, 28 foo 2026 17:22:23 GMT",  # not a month
        "lun, 31 set 2026 17:22:23 GMT",  # 31 September
        "lun, 28 set 2026 17:22:23 XYZT",  # unknown zone: left to feedparser
        "2026-09-28",
    ],
)
def test_parse_rfc822_rejects(raw: str) -> None:
    assert parse_rfc822(raw) is None


def test_to_iso_reads_naive_as_rome_and_drops_microseconds() -> None:
    assert to_iso(datetime(2026, 9, 11, 10, 0, 0, 500)) == "2026-09-11T10:00:00+02:00"


def test_feedparser_reads_italian_dates_once_handler_registered() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title><item><link>https://sport.sky.it/a</link>
    <pubDate>lun, 28 set 2026 17:22:23 +0200</pubDate></item></channel></rss>"""
    parsed = feedparser.parse(body.decode())
    assert tuple(parsed.entries[0].published_parsed)[:6] == (2026, 9, 28, 15, 22, 23)


# --- feeds -------------------------------------------------------------------------------------

SKY_FEED_URL = "https://sport.sky.it/rss/sport_calcio_serie-a.xml"
SKY_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:skyit="http://sport.sky.it/rss/skyit" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Sky Sport - Serie A</title>
    <link>https://sport.sky.it/calcio/serie-a</link>
    <description>Le ultime notizie di Serie A</description>
    <language>it</language>
    <lastBuildDate>lun, 28 set 2026 17:30:00 GMT</lastBuildDate>
    <atom:link href="https://sport.sky.it/rss/sport_calcio_serie-a.xml" rel="self" type="application/rss+xml"/>
    <item>
      <title><![CDATA[Juve, multa per il minuto di silenzio per Mazzola: "C'è rammarico"]]></title>
      <link>
        https://sport.sky.it/calcio/serie-a/2026/09/22/juve-multa-minuto-silenzio-mazzola
      </link>
      <guid isPermaLink="true">https://sport.sky.it/calcio/serie-a/2026/09/22/juve-multa-minuto-silenzio-mazzola</guid>
      <pubDate>mar, 22 set 2026 19:05:10 GMT</pubDate>
      <category>calcio</category>
      <skyit:image>https://static.sky.it/editorialimages/0a1b2c/juve-mazzola.jpg</skyit:image>
      <description><![CDATA[<p>Il giudice sportivo...</p>]]></description>
    </item>
    <item>
      <title>Arbitri Serie A, le designazioni della 34ª giornata</title>
      <link>https://sport.sky.it/calcio/serie-a/2026/09/28/arbitri-serie-a-designazioni-giornata-34</link>
      <pubDate>lun, 28 set 2026 17:22:23 GMT</pubDate>
      <category>liveblog</category>
      <skyit:image>https://static.sky.it/editorialimages/3d4e5f/arbitri.jpg</skyit:image>
    </item>
    <item>
      <title>Napoli, Conte: &quot;Partita da vincere&quot;</title>
      <link>https://sport.sky.it/calcio/serie-a/2026/03/04/napoli-conte-conferenza</link>
      <pubDate>mer, 04 mar 2026 12:30:00 +0100</pubDate>
    </item>
  </channel>
</rss>
""".encode()


def test_parse_feed_sky_sport_italian_dates() -> None:
    result = parse_feed(SKY_FEED, SKY_FEED_URL)
    assert result.is_feed
    assert result.error is None
    assert result.entries == [
        Entry(
            url="https://sport.sky.it/calcio/serie-a/2026/09/22/juve-multa-minuto-silenzio-mazzola",
            date="2026-09-22T19:05:10+00:00",
            date_raw="mar, 22 set 2026 19:05:10 GMT",
            lastmod=None,
            title='Juve, multa per il minuto di silenzio per Mazzola: "C\'è rammarico"',
        ),
        Entry(
            url="https://sport.sky.it/calcio/serie-a/2026/09/28/arbitri-serie-a-designazioni-giornata-34",
            date="2026-09-28T17:22:23+00:00",
            date_raw="lun, 28 set 2026 17:22:23 GMT",
            lastmod=None,
            title="Arbitri Serie A, le designazioni della 34ª giornata",
        ),
        Entry(
            url="https://sport.sky.it/calcio/serie-a/2026/03/04/napoli-conte-conferenza",
            date="2026-03-04T12:30:00+01:00",
            date_raw="mer, 04 mar 2026 12:30:00 +0100",
            lastmod=None,
            title='Napoli, Conte: "Partita da vincere"',
        ),
    ]


ATOM_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.example-calcio.it/news/">
  <title>Example Calcio</title>
  <id>https://www.example-calcio.it/</id>
  <updated>2026-09-11T10:30:00+02:00</updated>
  <entry>
    <title type="html">Milan, &lt;b&gt;Amorim&lt;/b&gt; pre Lazio</title>
    <link rel="alternate" type="text/html" href="2026/09/11/amorim-pre-lazio"/>
    <id>tag:example-calcio.it,2026:1001</id>
    <published>2026-09-11T10:00:00+02:00</published>
    <updated>2026-09-11T08:30:00Z</updated>
  </entry>
  <entry>
    <title>Como, esordio in Champions</title>
    <link href="https://www.example-calcio.it/news/2026/09/10/como-champions"/>
    <id>tag:example-calcio.it,2026:1000</id>
    <updated>2026-09-10T21:00:00.000+0200</updated>
  </entry>
</feed>
"""


def test_parse_feed_atom_keeps_offsets_and_separates_updated() -> None:
    result = parse_feed(ATOM_FEED, "https://www.example-calcio.it/feed.atom")
    assert result.is_feed
    assert result.error is None
    assert result.entries == [
        Entry(
            url="https://www.example-calcio.it/news/2026/09/11/amorim-pre-lazio",
            date="2026-09-11T10:00:00+02:00",
            date_raw="2026-09-11T10:00:00+02:00",
            lastmod="2026-09-11T08:30:00+00:00",
            title="Milan, Amorim pre Lazio",
        ),
        Entry(  # Atom without <published>: updated is not a publication date
            url="https://www.example-calcio.it/news/2026/09/10/como-champions",
            date=None,
            date_raw=None,
            lastmod="2026-09-10T21:00:00+02:00",
            title="Como, esordio in Champions",
        ),
    ]


RELATIVE_FEED = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>Calcio</title><link>https://www.example.it/</link>
<item><title>Relativo</title><link>/calcio/2026/09/11/relativo?a=1&amp;amp;b=2#commenti</link>
  <pubDate>Fri, 11 Sep 2026 10:00:00 +0200</pubDate></item>
<item><title>Solo guid, perch\xe9 s\xec</title><guid>https://www.example.it/calcio/2026/09/11/solo-guid</guid>
  <pubDate>Fri, 11 Sep 2026 09:00:00</pubDate></item>
<item><title>Guid non permalink</title><guid isPermaLink="false">https://www.example.it/?p=123</guid></item>
<item><title>Guid slug</title><guid>juve-vlahovic-rinnovo-123456</guid></item>
<item><title>Duplicato</title><link>https://www.example.it/calcio/2026/09/11/relativo?a=1&amp;b=2#commenti</link></item>
<item><title>Mailto</title><link>mailto:redazione@example.it</link></item>
</channel></rss>
"""


def test_parse_feed_relative_link_and_guid_only_items() -> None:
    result = parse_feed(RELATIVE_FEED, "https://www.example.it/rss/calcio.xml")
    assert result.is_feed
    assert result.error is None
    assert result.entries == [
        Entry(
            url="https://www.example.it/calcio/2026/09/11/relativo?a=1&b=2#commenti",
            date="2026-09-11T10:00:00+02:00",
            date_raw="Fri, 11 Sep 2026 10:00:00 +0200",
            lastmod=None,
            title="Relativo",
        ),
        Entry(
            url="https://www.example.it/calcio/2026/09/11/solo-guid",
            date="2026-09-11T09:00:00+02:00",  # no zone: Rome
            date_raw="Fri, 11 Sep 2026 09:00:00",
            lastmod=None,
            title="Solo guid, perché sì",
        ),
    ]


def test_parse_feed_latin1_declared_as_utf8_keeps_entries() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Perché sì</title><link>https://www.example.it/x</link></item></channel></rss>"
    ).encode("latin-1")
    result = parse_feed(body, "https://www.example.it/feed/")
    assert result.is_feed
    assert result.entries == [Entry("https://www.example.it/x", title="Perché sì")]
    assert (
        result.error == "wrong encoding declared, entries kept: document declared as utf-8, but parsed as windows-1252"
    )


def test_parse_feed_rdf_uses_dc_date_as_publication_date() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.example.it/"><title>RDF</title><link>https://www.example.it/</link></channel>
  <item rdf:about="https://www.example.it/a"><title>A</title><link>https://www.example.it/a</link>
    <dc:date>2026-09-11T10:00:00+02:00</dc:date></item>
</rdf:RDF>"""
    result = parse_feed(body, "https://www.example.it/rdf")
    assert result.is_feed
    assert result.entries == [
        Entry(
            "https://www.example.it/a",
            "2026-09-11T10:00:00+02:00",
            "2026-09-11T10:00:00+02:00",
            "2026-09-11T10:00:00+02:00",
            "A",
        )
    ]


def test_parse_feed_truncated_returns_recovered_entries() -> None:
    cut = SKY_FEED.index(b"<title>Napoli")
    result = parse_feed(SKY_FEED[:cut], SKY_FEED_URL)
    assert result.is_feed
    assert result.error is not None
    assert result.error.startswith("malformed feed (entries may be missing): ")
    assert [e.url for e in result.entries] == [
        "https://sport.sky.it/calcio/serie-a/2026/09/22/juve-multa-minuto-silenzio-mazzola",
        "https://sport.sky.it/calcio/serie-a/2026/09/28/arbitri-serie-a-designazioni-giornata-34",
    ]


HTML_404 = b"""<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><title>404 pagina non trovata</title></head>
<body><h1>404 pagina non trovata</h1><a href="/">Torna alla home</a></body></html>"""


def test_parse_feed_html_error_page_is_not_a_feed() -> None:
    result = parse_feed(HTML_404, "https://www.fantacalcio.it/rss/news")
    assert result.is_feed is False
    assert result.entries == []
    assert result.error == "not an RSS/Atom feed (looks like HTML)"


@pytest.mark.parametrize("body", [b"", b"   \n", b"\x00\x01\xff\xfe garbage", b'{"items": []}'])
def test_parse_feed_garbage_is_not_a_feed(body: bytes) -> None:
    result = parse_feed(body, "https://www.example.it/feed")
    assert result.is_feed is False
    assert result.entries == []
    assert result.error


def test_parse_feed_never_opens_local_files() -> None:
    # feedparser.parse(bytes) would try open(bytes) first: a body that is a path must stay data.
    result = parse_feed(b"/etc/hostname", "https://www.example.it/feed")
    assert result.is_feed is False


# --- sitemaps ----------------------------------------------------------------------------------

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://www.ansa.it/sito/sitemaps/sport_sitemap.xml</loc>
    <lastmod>2026-09-11T10:00:00+02:00</lastmod></sitemap>
  <sitemap><loc> https://www.ansa.it/sito/sitemaps/calcio_sitemap.xml.gz </loc></sitemap>
  <sitemap><loc>https://www.ansa.it/sito/sitemaps/sport_sitemap.xml</loc></sitemap>
</sitemapindex>"""


def test_parse_sitemap_index() -> None:
    result = parse_sitemap(SITEMAP_INDEX, "https://www.ansa.it/sito/sitemaps/sito_sitemap_index.xml")
    assert result.kind == "index"
    assert result.error is None
    assert result.entries == []
    assert result.children == [
        Entry("https://www.ansa.it/sito/sitemaps/sport_sitemap.xml", lastmod="2026-09-11T10:00:00+02:00"),
        Entry("https://www.ansa.it/sito/sitemaps/calcio_sitemap.xml.gz"),
    ]


NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://www.repubblica.it/sport/calcio/serie-a/2026/09/11/news/milan_lazio-123456/</loc>
    <lastmod>2026-09-11T12:00:00+02:00</lastmod>
    <news:news>
      <news:publication><news:name>la Repubblica</news:name><news:language>it</news:language></news:publication>
      <news:publication_date>2026-09-11T10:00:00+02:00</news:publication_date>
      <news:title>Milan-Lazio, Amorim: &amp;quot;Serve personalità&amp;quot;</news:title>
    </news:news>
    <image:image><image:loc>https://www.repstatic.it/content/milan.jpg</image:loc></image:image>
  </url>
  <url>
    <image:image><image:loc>https://www.repstatic.it/content/first-image-before-loc.jpg</image:loc></image:image>
    <loc>https://www.repubblica.it/sport/2026/09/11/news/como_champions-123457/</loc>
    <news:news>
      <news:publication_date>2026-09-11T08:00:00Z</news:publication_date>
      <news:title>Como, l’esordio in Champions</news:title>
    </news:news>
  </url>
  <url><image:image><image:loc>https://www.repstatic.it/content/no-page-loc.jpg</image:loc></image:image></url>
</urlset>
""".encode()


def test_parse_sitemap_gzipped_news_sitemap_detected_by_magic_bytes() -> None:
    # Served under a .xml URL: detection must not depend on the ".gz" suffix.
    result = parse_sitemap(gzip.compress(NEWS_SITEMAP), "https://www.repubblica.it/sitemap-n.xml")
    assert result.kind == "urlset"
    assert result.error is None
    assert result.children == []
    assert result.entries == [
        Entry(
            url="https://www.repubblica.it/sport/calcio/serie-a/2026/09/11/news/milan_lazio-123456/",
            date="2026-09-11T10:00:00+02:00",
            date_raw="2026-09-11T10:00:00+02:00",
            lastmod="2026-09-11T12:00:00+02:00",
            title='Milan-Lazio, Amorim: "Serve personalità"',
        ),
        Entry(
            url="https://www.repubblica.it/sport/2026/09/11/news/como_champions-123457/",
            date="2026-09-11T08:00:00+00:00",
            date_raw="2026-09-11T08:00:00Z",
            lastmod=None,
            title="Como, l’esordio in Champions",
        ),
    ]


def test_parse_sitemap_truncated_gzip_keeps_what_was_read() -> None:
    packed = gzip.compress(NEWS_SITEMAP)
    result = parse_sitemap(packed[: len(packed) - 30], "https://www.repubblica.it/sitemap-n.xml")
    assert result.kind == "urlset"
    assert result.error is not None
    assert result.error.startswith("truncated gzip data")
    assert result.entries[0].url.endswith("/milan_lazio-123456/")


@pytest.mark.parametrize(
    "urlset_open",
    [b"<urlset>", b'<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">'],
)
def test_parse_sitemap_without_or_with_old_namespace(urlset_open: bytes) -> None:
    body = (
        b'<?xml version="1.0"?>\n'
        + urlset_open
        + b"""
  <url><loc>https://www.oasport.it/2026/09/sinner-us-open/</loc><lastmod>2026-09-11</lastmod></url>
  <url><loc>/2026/09/relativo/</loc></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>"""
    )
    result = parse_sitemap(body, "https://www.oasport.it/sitemap.xml")
    assert result.kind == "urlset"
    assert result.entries == [
        Entry("https://www.oasport.it/2026/09/sinner-us-open/", lastmod="2026-09-11T00:00:00+02:00"),
        Entry("https://www.oasport.it/2026/09/relativo/"),
    ]


def test_parse_sitemap_text() -> None:
    body = (
        b"\xef\xbb\xbfhttps://www.example.it/calcio/a\r\n\r\n"
        b"  https://www.example.it/calcio/b  \n"
        b"# not an URL\n"
        b"https://www.example.it/calcio/a\n"
    )
    result = parse_sitemap(body, "https://www.example.it/sitemap.txt")
    assert result.kind == "text"
    assert result.error is None
    assert result.entries == [Entry("https://www.example.it/calcio/a"), Entry("https://www.example.it/calcio/b")]


def test_parse_sitemap_gzip_bomb_is_refused() -> None:
    size = MAX_DECOMPRESSED + 10 * 1024 * 1024  # 60 MB of zeros, about 60 KB compressed
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(packer.compress(zeros) for _ in range(size // len(zeros))) + packer.flush()
    result = parse_sitemap(bomb, "https://www.example.it/sitemap.xml.gz")
    assert result.kind == "invalid"
    assert result.entries == []
    assert result.error == f"gzip body decompresses to more than {MAX_DECOMPRESSED} bytes"


@pytest.mark.parametrize(("extra", "refused"), [(-1, False), (0, False), (1, True)])
def test_parse_sitemap_decompressed_size_threshold(monkeypatch: pytest.MonkeyPatch, extra: int, refused: bool) -> None:
    sitemap = b"<urlset><url><loc>https://www.example.it/a</loc></url></urlset>"
    monkeypatch.setattr(crawler.discovery.sitemaps, "MAX_DECOMPRESSED", 1000)
    body = sitemap + b" " * (1000 + extra - len(sitemap))
    result = parse_sitemap(gzip.compress(body), "https://www.example.it/sitemap.xml.gz")
    assert result.kind == ("invalid" if refused else "urlset")
    assert [e.url for e in result.entries] == ([] if refused else ["https://www.example.it/a"])


def test_parse_sitemap_reads_every_gzip_member() -> None:
    body = gzip.compress(b"https://www.example.it/a\n") + gzip.compress(b"https://www.example.it/b\n")
    result = parse_sitemap(body, "https://www.example.it/sitemap.txt.gz")
    assert [e.url for e in result.entries] == ["https://www.example.it/a", "https://www.example.it/b"]


def test_parse_sitemap_does_not_resolve_external_entities() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.example.it/a?x=&xxe;</loc></url>
</urlset>"""
    result = parse_sitemap(body, "https://www.example.it/sitemap.xml")
    assert result.kind == "urlset"
    # The reference stays as text; the file's content never enters the document.
    assert [e.url for e in result.entries] == ["https://www.example.it/a?x=&xxe;"]


def test_parse_sitemap_accepts_rss_as_sitemap() -> None:
    result = parse_sitemap(SKY_FEED, SKY_FEED_URL)
    assert result.kind == "urlset"
    assert len(result.entries) == 3


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (HTML_404, "not a sitemap (looks like HTML)"),
        (b"", "empty body"),
        (b"\x00\x01\x02\xff", "not a sitemap (neither XML nor one URL per line)"),
        (b"<foo><bar/></foo>", "not a sitemap (root element <foo>)"),
        (b"\x1f\x8bnot really gzip", None),
    ],
)
def test_parse_sitemap_invalid(body: bytes, error: str | None) -> None:
    result = parse_sitemap(body, "https://www.example.it/sitemap.xml")
    assert result.kind == "invalid"
    assert result.entries == result.children == []
    assert result.error
    if error is not None:
        assert result.error == error


# --- robots.txt --------------------------------------------------------------------------------


def test_parse_robots_sitemaps() -> None:
    body = b"""# robots.txt for www.rainews.it
User-agent: *
Disallow: /dl/rainews/media/
Sitemap: https://www.rainews.it/sitemap.xml
sitemap:https://www.rainews.it/dl/rainews/sitemap/fast/sitemap.fast.xml   # fast one
SITEMAP :  /sitemap-relative.xml
Sitemap: https://www.rainews.it/sitemap.xml

User-agent: GPTBot
Disallow: /
Sitemaps are listed above: not a directive
"""
    assert parse_robots_sitemaps(body, "https://www.rainews.it/robots.txt") == [
        "https://www.rainews.it/sitemap.xml",
        "https://www.rainews.it/dl/rainews/sitemap/fast/sitemap.fast.xml",
        "https://www.rainews.it/sitemap-relative.xml",
    ]


def test_parse_robots_sitemaps_html_page_gives_nothing() -> None:
    body = b"\n  <!DOCTYPE html><html><body><p>Sitemap: https://www.example.it/sitemap.xml</p></body></html>"
    assert parse_robots_sitemaps(body, "https://www.example.it/robots.txt") == []


def test_parse_robots_sitemaps_reads_only_the_first_512_kb() -> None:
    head = b"Sitemap: https://www.example.it/first.xml\n"
    filler = b"Disallow: /x\n" * (512 * 1024 // 13)
    body = head + filler + b"Sitemap: https://www.example.it/too-far.xml\n"
    assert parse_robots_sitemaps(body, "https://www.example.it/robots.txt") == ["https://www.example.it/first.xml"]


@pytest.mark.parametrize(("cap_offset", "kept"), [(-1, False), (0, True), (1, True)])
def test_parse_robots_sitemaps_line_at_the_cap(monkeypatch: pytest.MonkeyPatch, cap_offset: int, kept: bool) -> None:
    """A line is kept only if it ends (newline included) within the cap."""
    first = b"Sitemap: https://www.example.it/first.xml\n"
    second = b"Sitemap: https://www.example.it/second.xml\n"
    body = first + second + b"Disallow: /x\n"
    monkeypatch.setattr(crawler.discovery.robots, "MAX_ROBOTS_BYTES", len(first + second) + cap_offset)
    expected = ["https://www.example.it/first.xml"] + (["https://www.example.it/second.xml"] if kept else [])
    assert parse_robots_sitemaps(body, "https://www.example.it/robots.txt") == expected


# --- listing pages -----------------------------------------------------------------------------

LISTING = """<!DOCTYPE html>
<html lang="it"><head>
<meta charset="utf-8">
<base href="https://www.corriere.it/sport/calcio/">
<title>Calcio - Corriere</title></head>
<body>
<nav><a href="/">Home</a> <a href="#main">Vai al contenuto</a> <a href="">Ricarica</a></nav>
<div class="card">
  <a href="26_settembre_11/milan-lazio-amorim.shtml"><img src="x.jpg" alt="Amorim in conferenza"></a>
  <h2><a href="26_settembre_11/milan-lazio-amorim.shtml#commenti">
      Milan-Lazio,   Amorim: perché
      serve <b>coraggio</b></a></h2>
</div>
<a href="https://www.corriere.it/sport/calcio/26_settembre_11/como-champions.shtml?ref=home">Como</a>
<a href="javascript:void(0)">Apri menu</a>
<a href="mailto:sport@corriere.it">Scrivici</a>
<a href="tel:+39021234567">Chiamaci</a>
<a href="whatsapp://send?text=ciao">Condividi</a>
<a>senza href</a>
<a href="//static.corriere.it/rss/sport.xml" title="Feed RSS"></a>
</body></html>
"""


def test_extract_links_listing_page_with_base_href() -> None:
    links = extract_links(
        LISTING.encode("iso-8859-1"),
        "https://www.corriere.it/sport/",
        content_type="text/html; charset=iso-8859-1",  # the header wins over <meta charset>
    )
    assert links == [
        Link("https://www.corriere.it/", "Home"),
        Link("https://www.corriere.it/sport/calcio/26_settembre_11/milan-lazio-amorim.shtml", "Amorim in conferenza"),
        Link("https://www.corriere.it/sport/calcio/26_settembre_11/como-champions.shtml?ref=home", "Como"),
        Link("https://static.corriere.it/rss/sport.xml", "Feed RSS"),
    ]


def test_extract_links_fills_text_from_later_duplicate() -> None:
    body = b"""<html><body><a href="/a"><img src="a.jpg"></a><a href="/a#x">Titolo</a></body></html>"""
    assert extract_links(body, "https://www.example.it/sport/") == [Link("https://www.example.it/a", "Titolo")]


def test_extract_links_xhtml_with_xml_declaration() -> None:
    body = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body><a href="notizia.html">Perché sì</a></body></html>
""".encode()
    assert extract_links(body, "https://www.example.it/sport/") == [
        Link("https://www.example.it/sport/notizia.html", "Perché sì")
    ]


@pytest.mark.parametrize("body", [b"", b"\x00\x01\xff", b"<", b"plain text, no markup"])
def test_extract_links_garbage(body: bytes) -> None:
    assert extract_links(body, "https://www.example.it/") == []


# --- never raise -------------------------------------------------------------------------------

ODD_BODIES = [
    b"",
    b"\x1f\x8b",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
    b"<" * 10_000,
    b"<?xml version='1.0' encoding='no-such-encoding'?><rss/>",
    b"\xff\xfe<\x00r\x00s\x00s\x00",
    bytes(range(256)) * 4,
    b"<urlset><url><loc>http://[::1</loc></url></urlset>",
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_parsers_never_raise(body: bytes) -> None:
    url = "https://www.example.it/x"
    parse_feed(body, url)
    parse_sitemap(body, url)
    parse_robots_sitemaps(body, url)
    extract_links(body, url)
    extract_links(body, url, content_type="text/html; charset=bogus")
