"""Unit tests of page extraction and the worker entry point, on small pages written here."""

from __future__ import annotations

import json
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from pipeline import extract as extract_mod
from pipeline.extract import canonical_url, clean_text, is_boilerplate, site_names, split_authors, strip_site_name
from pipeline.items import Discovery, ExtractedArticle, FetchedPage, Reject
from pipeline.text import content_hash, normalize_for_hash, word_count
from pipeline.worker import MIN_PARAGRAPH_CHARS, MIN_TEXT_CHARS, init_worker, process_page, text_problem
from storage import page_codec

URL = "https://www.example-sport.it/calcio/serie-a/allegri-resta-al-milan-123456.shtml"
FETCHED = "2026-03-04T18:00:00+00:00"

PARAGRAPHS = [
    "Il tecnico rossonero ha parlato alla vigilia della sfida contro la Cremonese, spegnendo le voci "
    "di mercato che lo vorrebbero lontano da Milanello già dalla prossima stagione.",
    "Secondo quanto riportato dai quotidiani sportivi, la dirigenza spagnola avrebbe sondato il "
    "terreno per la terza volta in pochi anni, senza però ottenere alcuna apertura concreta.",
    "L'allenatore toscano ha ribadito di trovarsi bene con il gruppo e con la società, chiedendo "
    "rinforzi di livello internazionale per competere fino in fondo in Champions League.",
    "La squadra tornerà in campo domenica sera davanti al proprio pubblico, con l'obiettivo di "
    "consolidare il secondo posto in classifica e allungare sulle inseguitrici.",
]


def article_html(
    *,
    head: str = "",
    title: str = "Allegri resta al Milan: nessuna apertura al Real Madrid",
    byline: str = "",
    paragraphs: list[str] | None = None,
    charset: str = "utf-8",
    footer: str = "<p>Società editrice Example Sport S.r.l. - P.IVA 01234567890</p>",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in (PARAGRAPHS if paragraphs is None else paragraphs))
    return f"""<!DOCTYPE html>
<html lang="it"><head><meta charset="{charset}"><title>{title}</title>{head}</head>
<body>
<header><nav><a href="/">Home</a> <a href="/calcio">Calcio</a> <a href="/tennis">Tennis</a></nav></header>
<main><article>
<h1>{title}</h1>
{byline}
<div class="article-body">
{body}
</div>
</article></main>
<footer>{footer}</footer>
</body></html>"""


def jsonld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def page(
    html: str | bytes,
    *,
    url: str = URL,
    content_type: str = "text/html; charset=utf-8",
    fetched_at: str = FETCHED,
    discovery: Discovery | None = None,
) -> FetchedPage:
    body = html.encode("utf-8") if isinstance(html, str) else html
    return FetchedPage(
        outlet="example",
        url=url,
        body=body,
        content_type=content_type,
        http_status=200,
        fetched_at=fetched_at,
        discovery=discovery or Discovery(via="listing", source_url="https://www.example-sport.it/calcio"),
    )


def run(html: str | bytes, **kwargs: object) -> ExtractedArticle:
    result = process_page(page(html, **kwargs))  # type: ignore[arg-type]
    assert isinstance(result, ExtractedArticle), result
    return result


# --- a complete article --------------------------------------------------------------------------


def test_article_fields_are_filled() -> None:
    head = jsonld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Allegri resta al Milan: nessuna apertura al Real Madrid",
            "datePublished": "2026-03-04T12:30:00+01:00",
            "dateModified": "2026-03-04T14:00:00+01:00",
            "author": [{"@type": "Person", "name": "Mario Rossi"}, {"@type": "Person", "name": "Luca Bianchi"}],
            "articleSection": "Calcio",
            "keywords": "Milan, Allegri, Real Madrid",
            "image": {"@type": "ImageObject", "url": "https://www.example-sport.it/img/allegri.jpg"},
            "description": "Il tecnico rossonero chiude al Real.",
        }
    )
    head += (
        '<link rel="canonical" href="https://www.example-sport.it/calcio/serie-a/allegri-resta-al-milan-123456.shtml">'
    )
    html = article_html(head=head, paragraphs=[*PARAGRAPHS, "Riproduzione riservata © Copyright Example Sport"])
    art = run(html)
    assert art.title == "Allegri resta al Milan: nessuna apertura al Real Madrid"
    assert art.authors == ["Mario Rossi", "Luca Bianchi"]
    assert art.published_at == "2026-03-04T12:30:00+01:00"
    assert art.published_source == "json-ld"
    assert art.published_raw == "2026-03-04T12:30:00+01:00"
    assert art.modified_at == "2026-03-04T14:00:00+01:00"
    assert art.section == "Calcio"
    assert art.tags == ["Milan", "Allegri", "Real Madrid"]
    assert art.image == "https://www.example-sport.it/img/allegri.jpg"
    assert art.description == "Il tecnico rossonero chiude al Real."
    assert art.language == "it" and art.language_prob and art.language_prob > 0.9
    assert art.page_kind == "article"
    assert art.text.split("\n") == PARAGRAPHS
    assert art.word_count == sum(len(p.split()) for p in PARAGRAPHS)
    assert len(art.content_hash) == 40
    assert art.canonical_url == URL
    assert art.url_key == "example-sport.it/calcio/serie-a/allegri-resta-al-milan-123456.shtml"
    assert art.raw_html == b"" and art.html_compressed.startswith(page_codec.ZSTD_MAGIC)
    assert page_codec.decompress(art.html_compressed) == html.encode("utf-8")
    assert art.fetched_at == FETCHED and art.http_status == 200
    assert art.duplicate_of is None


def test_process_page_pickles_and_runs_in_a_process_pool() -> None:
    pickle.dumps(process_page)
    with ProcessPoolExecutor(max_workers=1, initializer=init_worker) as pool:
        result = pool.submit(process_page, page(article_html())).result(timeout=120)
    assert isinstance(result, ExtractedArticle)
    assert result.language == "it"


# --- encodings -----------------------------------------------------------------------------------


def test_windows_1252_declared_in_meta() -> None:
    text = "Perché il Milan è primo: la squadra è più forte di tutte, perché gioca meglio. " * 4
    html = article_html(charset="windows-1252", paragraphs=[*PARAGRAPHS, text.strip()])
    art = run(html.encode("cp1252"), content_type="text/html")
    assert "perché" in art.text and " è " in art.text
    assert "Ã" not in art.text


def test_iso_8859_1_declared_in_header() -> None:
    html = article_html(charset="iso-8859-1", paragraphs=[*PARAGRAPHS, "Così è finita la partita, perché sì."])
    art = run(html.encode("latin-1"), content_type="text/html; charset=ISO-8859-1")
    assert "Così è finita la partita, perché sì." in art.text


# --- rejections ----------------------------------------------------------------------------------


def test_page_without_text_is_rejected() -> None:
    result = process_page(page(article_html(paragraphs=["Foto: Getty Images"])))
    assert isinstance(result, Reject)
    assert result.reason == "no_text"
    assert result.url == URL and result.http_status == 200


@pytest.mark.parametrize(
    ("length", "problem"), [(0, True), (MIN_TEXT_CHARS - 1, True), (MIN_TEXT_CHARS, False), (MIN_TEXT_CHARS + 1, False)]
)
def test_minimum_text_length(length: int, problem: bool) -> None:
    assert (text_problem("x" * length) is not None) is problem


@pytest.mark.parametrize(
    ("longest", "problem"),
    [(MIN_PARAGRAPH_CHARS - 1, True), (MIN_PARAGRAPH_CHARS, False), (MIN_PARAGRAPH_CHARS + 1, False)],
)
def test_a_real_paragraph_is_required(longest: int, problem: bool) -> None:
    furniture = "\n".join(["Home", "Calcio", "Serie A", "Condividi", "Tweet", "18 commenti"] * 8)
    text = furniture + "\n" + "y" * longest
    assert len(text) >= MIN_TEXT_CHARS
    assert (text_problem(text) is not None) is problem


def test_page_with_only_furniture_is_rejected() -> None:
    nav = "".join(f"<li><a href='/s{i}'>Sezione {i}</a></li>" for i in range(12))
    html = (
        f"<html><head><title>Gol della giornata</title></head><body><header><ul>{nav}</ul></header>"
        "<main><h1>Serie A, tutti i gol della tredicesima giornata</h1><p>Redazione</p><p>23 novembre 2026</p>"
        "<p>Condividi</p><p>18 commenti</p></main></body></html>"
    )
    result = process_page(page(html))
    assert isinstance(result, Reject)
    assert result.reason == "no_text"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/html"),
        (bytes(range(256)) * 8, "application/octet-stream"),
    ],
)
def test_binary_body_is_rejected(body: bytes, content_type: str) -> None:
    result = process_page(page(body, content_type=content_type))
    assert isinstance(result, Reject)
    assert result.reason == "not_html"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b'{"status": "ok", "items": []}', "application/json"), (b"Solo testo, nessun markup.", "text/plain")],
)
def test_text_that_is_not_html_is_rejected(body: bytes, content_type: str) -> None:
    result = process_page(page(body, content_type=content_type))
    assert isinstance(result, Reject)
    assert result.reason == "not_html"


def test_section_page_is_not_an_article() -> None:
    items = "".join(
        f'<li><a href="/calcio/2026/03/0{i}/notizia-{i}.html">Milan, la notizia numero {i} della giornata: '
        "Allegri prepara la sfida contro la Cremonese con due dubbi</a></li>"
        for i in range(1, 10)
    )
    html = (
        f"<html><head><title>Calcio</title></head><body><nav><a href='/'>Home</a></nav><ul>{items}</ul></body></html>"
    )
    result = process_page(page(html))
    assert isinstance(result, Reject)
    assert result.reason == "not_article"


def test_article_ending_in_related_links_is_kept() -> None:
    related = [f'<a href="/calcio/notizia-{i}">Milan, la notizia numero {i} della giornata</a>' for i in range(3)]
    art = run(article_html(paragraphs=[*PARAGRAPHS, *related]))
    assert art.text.startswith(PARAGRAPHS[0])


def test_empty_body_is_rejected() -> None:
    result = process_page(page(b"  \n"))
    assert isinstance(result, Reject) and result.reason == "no_text"


def test_exception_in_trafilatura_becomes_a_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("lxml exploded")

    monkeypatch.setattr(extract_mod.trafilatura, "bare_extraction", boom)
    result = process_page(page(article_html()))
    assert isinstance(result, Reject)
    assert result.reason == "extraction_error"
    assert "RuntimeError" in result.detail and "lxml exploded" in result.detail


# --- JSON-LD and meta ----------------------------------------------------------------------------


def test_malformed_jsonld_is_skipped() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rotto",, }</script>'
    head += '<meta property="article:published_time" content="2026-03-04T10:00:00+01:00">'
    art = run(article_html(head=head))
    assert art.published_source == "meta"
    assert art.published_at == "2026-03-04T10:00:00+01:00"
    assert art.title == "Allegri resta al Milan: nessuna apertura al Real Madrid"


def test_jsonld_inside_graph_and_cdata() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example Sport"},
            {"@type": "ReportageNewsArticle", "headline": "Titolo dal grafo", "datePublished": "2026-03-03T09:00:00Z"},
        ],
    }
    head = f'<script type="application/ld+json">//<![CDATA[\n{json.dumps(graph)}\n//]]></script>'
    art = run(article_html(head=head))
    assert art.title == "Titolo dal grafo"
    assert art.published_at == "2026-03-03T09:00:00+00:00"


def test_author_as_string_and_list_of_strings() -> None:
    head = jsonld({"@type": "NewsArticle", "author": "di Mario Rossi e Luca Bianchi"})
    assert run(article_html(head=head)).authors == ["Mario Rossi", "Luca Bianchi"]
    head = jsonld([{"@type": "Article", "author": ["Anna Verdi", {"name": "Paolo Neri"}]}])
    assert run(article_html(head=head)).authors == ["Anna Verdi", "Paolo Neri"]


def test_meta_section_and_tags() -> None:
    head = (
        '<meta property="article:section" content="Tennis">'
        '<meta property="article:tag" content="Sinner"><meta property="article:tag" content="ATP">'
    )
    art = run(article_html(head=head))
    assert art.section == "Tennis"
    assert art.tags == ["Sinner", "ATP"]


def test_split_authors() -> None:
    assert split_authors("Mario Rossi, Luca Bianchi & Anna Verdi") == ["Mario Rossi", "Luca Bianchi", "Anna Verdi"]
    assert split_authors(["By Emma Mackenzie", "Emma-Mackenzie"]) == ["Emma Mackenzie"]
    assert split_authors("https://www.example.it/autori/rossi") == []
    assert split_authors(None) == []


# --- titles --------------------------------------------------------------------------------------


def test_title_suffix_stripped_with_og_site_name() -> None:
    head = (
        '<meta property="og:site_name" content="La Gazzetta dello Sport">'
        '<meta property="og:title" content="Allegri resta al Milan | La Gazzetta dello Sport">'
    )
    art = run(article_html(head=head))
    assert art.title == "Allegri resta al Milan"


@pytest.mark.parametrize(
    ("title", "url", "site", "expected"),
    [
        ("Allegri resta al Milan | Gazzetta", "https://www.gazzetta.it/x", None, "Allegri resta al Milan"),
        ("Corriere dello Sport - Allegri resta", "https://www.corrieredellosport.it/x", None, "Allegri resta"),
        ("Sinner vince a Miami - Sky Sport", "https://sport.sky.it/tennis/x", "Sky Sport", "Sinner vince a Miami"),
        ("Sinner vince a Miami – Sky Sport", "https://sport.sky.it/tennis/x", None, "Sinner vince a Miami"),
        ("Sinner vince :: TUTTOSPORT.com", "https://www.tuttosport.com/x", None, "Sinner vince"),
        (
            "Milan, Allegri resta - Sportmediaset",
            "https://www.sportmediaset.mediaset.it/x",
            None,
            "Milan, Allegri resta",
        ),
        (
            "Allegri resta al Milan - Corriere della Sera",
            "https://www.corriere.it/sport/x",
            None,
            "Allegri resta al Milan",
        ),
        ("Allegri resta al Milan - la Repubblica", "https://www.repubblica.it/sport/x", None, "Allegri resta al Milan"),
        ("Allegri resta al Milan | Goal.com Italia", "https://www.goal.com/it/x", None, "Allegri resta al Milan"),
        ("Napoli, Conte: «Testa al campo»", "https://www.gazzetta.it/x", None, "Napoli, Conte: «Testa al campo»"),
        # A segment that is a team, not the outlet, stays: nothing but one word would be left.
        ("Inter - Milan", "https://www.inter.it/x", "Inter", "Inter - Milan"),
        # Middle segments (a section) stay; only the outlet goes.
        ("Allegri resta - Calcio - Gazzetta", "https://www.gazzetta.it/x", None, "Allegri resta - Calcio"),
    ],
)
def test_strip_site_name(title: str, url: str, site: str | None, expected: str) -> None:
    assert strip_site_name(title, site_names(url, site)) == expected


# --- canonical URL -------------------------------------------------------------------------------


def test_canonical_url_rules() -> None:
    page_url = "https://m.example-sport.it/calcio/articolo-1.shtml?utm_source=x&intcmp=y#commenti"
    good = "https://www.example-sport.it/calcio/articolo-1.shtml"
    assert canonical_url(page_url, good) == good
    assert canonical_url(page_url, "/calcio/articolo-1.shtml") == "https://m.example-sport.it/calcio/articolo-1.shtml"
    # Homepage canonicals and other sites' canonicals are not believed.
    assert (
        canonical_url(page_url, "https://www.example-sport.it/") == "https://m.example-sport.it/calcio/articolo-1.shtml"
    )
    assert canonical_url(page_url, "https://www.altro.it/calcio/articolo-1.shtml").startswith(
        "https://m.example-sport.it/"
    )
    # og:url is the second choice.
    assert canonical_url(page_url, None, good) == good


def test_homepage_canonical_falls_back_to_clean_page_url() -> None:
    head = '<link rel="canonical" href="https://www.example-sport.it/">'
    art = run(article_html(head=head), url=URL + "?utm_source=twitter")
    assert art.canonical_url == URL
    assert art.url == URL + "?utm_source=twitter"


# --- text ----------------------------------------------------------------------------------------


def test_boilerplate_paragraphs_removed() -> None:
    extra = [
        "LEGGI ANCHE: Milan, la formazione anti-Cremonese",
        "Leggi anche -> Inter, Lautaro verso il rinnovo",
        "© RIPRODUZIONE RISERVATA",
        "Seguici su Google News per restare aggiornato",
    ]
    art = run(article_html(paragraphs=[PARAGRAPHS[0], extra[0], *PARAGRAPHS[1:], *extra[1:]]))
    assert art.text.split("\n") == PARAGRAPHS
    assert "Leggi anche" not in art.text and "RISERVATA" not in art.text


def test_clean_text_and_boilerplate_rules() -> None:
    assert clean_text("  uno  \n\n due\t tre \n") == "uno\ndue tre"
    assert is_boilerplate("Riproduzione riservata © Copyright ANSA")
    assert is_boilerplate("Ti potrebbe interessare")
    assert is_boilerplate("L'articolo Sinner vola in finale a Miami proviene da OA Sport.")
    # A long paragraph that only opens with the words is article text.
    long = "Leggi anche tu il regolamento: " + "la squadra ha vinto e convinto, " * 8
    assert not is_boilerplate(long)


# --- page kinds ----------------------------------------------------------------------------------


def test_paywalled_from_jsonld() -> None:
    head = jsonld({"@type": "NewsArticle", "isAccessibleForFree": False, "headline": "Esclusiva"})
    assert run(article_html(head=head)).page_kind == "paywalled"
    head = jsonld({"@type": "NewsArticle", "isAccessibleForFree": "False"})
    assert run(article_html(head=head)).page_kind == "paywalled"


def test_paywalled_from_preview_url() -> None:
    url = "https://www.corriere.it/sport/calcio/26_marzo_04/allegri-milan-abc123_preview.shtml"
    assert run(article_html(), url=url).page_kind == "paywalled"


def test_live_kinds() -> None:
    head = jsonld({"@type": "LiveBlogPosting", "headline": "Milan-Cremonese"})
    assert run(article_html(head=head)).page_kind == "live"
    assert run(article_html(title="Milan-Cremonese 2-0 LIVE: gol di Leao")).page_kind == "live"
    assert run(article_html(), url="https://www.example-sport.it/calcio/live/milan-cremonese").page_kind == "live"
    # "dove vederla in diretta tv" is a preview, not a live blog.
    preview = "Milan-Cremonese: dove vederla in diretta tv e streaming"
    assert run(article_html(title=preview)).page_kind == "article"
    cds = "https://www.corrieredellosport.it/news/calcio/2026/09/11-151171743/dove_vedere_pisa-entella_in_diretta_tv/"
    assert run(article_html(), url=cds).page_kind == "article"
    eurosport = "https://www.eurosport.it/calcio/serie-a/2026/milan-cremonese_mtc21874331/live.shtml"
    assert run(article_html(), url=eurosport).page_kind == "live"


def test_gallery_and_video_kinds() -> None:
    assert run(article_html(), url="https://www.example-sport.it/foto/milan-festa-123").page_kind == "gallery"
    assert run(article_html(), url="https://www.example-sport.it/calcio/milan-festa-fotogallery").page_kind == "gallery"
    assert run(article_html(), url="https://www.example-sport.it/video/calcio/gol-leao-123").page_kind == "video"
    head = '<meta property="og:type" content="video.other">'
    assert run(article_html(head=head)).page_kind == "video"
    # Words in an article slug are not a section.
    assert (
        run(article_html(), url="https://www.example-sport.it/calcio/la-foto-di-leao-e-il-video").page_kind == "article"
    )


# --- text fingerprints ---------------------------------------------------------------------------


def test_normalize_for_hash_folds_form() -> None:
    a = "L’Inter  vince il derby:\n«Che partita!»"
    b = "l'inter vince il derby che partita"
    assert normalize_for_hash(a) == "l inter vince il derby che partita"
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash("L'Inter perde il derby")
    assert normalize_for_hash("ﬁnale\u00a0Straße") == "finale strasse"


def test_word_count() -> None:
    assert word_count("L'allenatore ha parlato.\nPoi è andato via.") == 7
    assert word_count("") == 0


def test_utf16_page_with_bom_is_decoded() -> None:
    art = run(article_html().encode("utf-16"), content_type="text/html")
    assert art.text.split("\n") == PARAGRAPHS
