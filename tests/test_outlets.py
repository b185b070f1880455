"""Tests for the outlet registry: every built-in outlet against the shared facts, and the TOML loader."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.outlets.registry import OutletFileError, load_builtin, load_outlet_file, select_outlets
from crawler.outlets.spec import OutletSpec

BUILTIN = load_builtin()
SPEC_FIELDS = {f.name for f in dataclasses.fields(OutletSpec)}

# Article URLs quoted from the shared outlet facts (outlets.toml "examples" and outlets.md).
SEEN_ARTICLES: dict[str, tuple[str, ...]] = {
    "gazzetta": (
        "https://www.gazzetta.it/Calcio/Serie-A/Milan/11-09-2026/amorim-pre-lazio-milan-la-conferenza-in-diretta.shtml",
        "https://www.gazzetta.it/Calcio/Champions-League/11-09-2026/alberto-brignoli-intervista-e-il-debutto-in-champions-a-35-anni-ora-il-como-e-la-roma.shtml",
        "https://www.gazzetta.it/calcio/fantanews/11-09-2026/juventus-sassuolo-chance-per-alajbegovic-con-yildiz-infortunato-trovera-piu-spazio.shtml",
        "https://www.gazzetta.it/Calcio/Serie-A/Juventus/storie/02-01-2026/juve-rinnovo-yildiz-e-obiettivi-2026/ritorno-al-passato.shtml",
        "https://www.gazzetta.it/Calcio/Serie-A/Juventus/26-01-2024/juventus-cosi-allegri-sta-battendo-i-luoghi-comuni_preview.shtml",
        "https://www.gazzetta.it/Calcio/Serie-A/Como/storie/11-09-2026/como-champions-formazione-lipsia/esordio-vincente.shtml",
    ),
    "cds": (
        "https://www.corrieredellosport.it/news/calcio/serie-a/lazio/2026/09/11-151169686/lazio-milan_la_curva_gela_l_olimpico_lotito_chieda_scusa_e_lo_stadio_si_tinge_di_rossonero_/",
        "https://www.corrieredellosport.it/news/calcio/serie-b/2026/09/11-151171743/dove_vedere_pisa-entella_in_tv_dazn_o_prime_video_orario/",
        "https://www.corrieredellosport.it/news/calcio/serie-a/milan/2026/01/07-145696785/il_calcolo_preciso_di_allegri_su_scudetto_e_champions_ecco_quanti_punti_servono",
        "https://www.corrieredellosport.it/news/on-air/2025/10/06-143662929/coppa_italia_fiorentina_serie_a_e_motogp_le_ultimissime",
    ),
    "tuttosport": (
        "https://www.tuttosport.com/news/calcio/serie-a/roma/2026/09/11-151171273/kone_niente_esami_ma_resta_in_dubbio_per_torino-roma_le_condizioni_del_centrocampista/",
        "https://www.tuttosport.com/news/calcio/calciomercato/2026/09/11-151171453/james_rodriguez_niente_avellino_ufficiale_il_trasferimento_all_atletico_nacional/",
        "https://www.tuttosport.com/news/calcio/2026/09/11-151170622/scandalo_etoo_mezzo_milione_dalla_russia_mai_depositato_cosa_successo/",
        "https://www.tuttosport.com/news/calcio/coppa-italia/2021/05/13-81655553/juve-atalanta_la_finale_di_coppa_italia_con_4300_spettatori",
    ),
    "skysport": (
        "https://sport.sky.it/calcio/serie-a/2026/04/23/arbitri-serie-a-designazioni-giornata-34",
        "https://sport.sky.it/calcio/serie-a/2026/09/22/juve-multa-minuto-silenzio-mazzola",
        "https://sport.sky.it/calcio/serie-a/2021/05/08/spezia-napoli-risultato-gol",
    ),
    "sportmediaset": (
        "https://www.sportmediaset.mediaset.it/mercato/juventus/juve-oggi-l-incontro-con-spalletti-pronto-un-contratto-fino-a-giugno-con-rinnovo-biennale_105195750-202502k.shtml",
        "https://www.sportmediaset.mediaset.it/mercato/juventus/spalletti-e-il-giorno-della-firma-questa-sera-all-allianz-per-juve-udinese_105239616-202502k.shtml",
        "https://www.sportmediaset.mediaset.it/mercato/juventus/vlahovic-juventus-infortunio-mercato-addio-parametro-zero_108772967-202602k.shtml",
        "https://www.sportmediaset.mediaset.it/calcio/inter/inter-campione-inverno-statistica-scudetto_107743377-202602k.shtml",
    ),
    "raisport": (
        "https://www.rainews.it/articoli/2026/09/vandalizzate-a-roma-le-pietre-dinciampo-per-spizzichino-e-spagnoletto-f03e4c7b-8ed0-42e8-8acf-359199ed6a67.html",
        "https://www.rainews.it/articoli/2026/02/il-casco-con-i-volti-degli-atleti-ucraini-uccisi-squalificato-latletadello-skeleton-heraskevych-c269b776-c601-4ec0-b7f3-6271587b9f6d.html",
    ),
    "ansa": (
        "https://www.ansa.it/sito/notizie/sport/calcio/2026/09/17/europa-league-la-juventus-asfalta-5-0-il-nec_6e175d87-1b2f-479a-89bb-cc9982cc094c.html",
        "https://www.ansa.it/sito/notizie/sport/calcio/2025/11/24/premierscuse-guardiola-per-reazione-furibonda-dopo-ko-newcastle_550c64f2-36f7-430c-9c19-2ccf849ece09.html",
    ),
    "repubblica": (
        "https://www.repubblica.it/sport/calcio/serie-a/juventus/2022/05/11/news/coppa_italia_allegri_juventus-349054775/",
        "https://www.repubblica.it/sport/calcio/serie-a/inter/2021/04/28/news/zhang_arrivto_a_milano-298525777/",
    ),
    "corriere": (
        "https://www.corriere.it/sport/calcio/26_settembre_19/sandro-mazzola-morto-l-ex-leggenda-di-inter-e-nazionale-aveva-83-anni-ee9199ad-92d9-4fe2-b493-d17a72ddcxlk.shtml",
        "https://www.corriere.it/sport/calcio/coppa-italia/22_aprile_19/inter-milan-formazioni-news-risultato-f607f438-bfef-11ec-9f78-c9d279c21b38.shtml",
    ),
    "calciomercato_com": (
        "https://calciomercato.com/news/gazzetta-colpo-di-scena-milan-avanti-tutta-per-max-allegri-38557",
        "http://www.calciomercato.com/news/genoamania-uno-0-0-tra-rimpianti-e-speranze-82408",
    ),
    "tmw": (
        "https://www.tuttomercatoweb.com/rassegna-stampa/out-dalla-champions-mondiale-a-rischio-i-corriere-della-sera-i-calcio-italiano-in-bilico-2211976",
        "https://www.tuttomercatoweb.com/serie-a/il-secondo-no-di-allegri-al-madrid-per-tutte-e-due-le-volte-ha-preferito-la-juventus-al-real-1540539",
        "https://www.tuttomercatoweb.com/rassegna-stampa/i-la-gazzetta-dello-sport-i-e-le-parole-di-scaroni-we-are-the-champions-1180243",
    ),
    "milannews": ("https://www.milannews.it/rassegna-stampa/la-gazzetta-dello-sport-rivoluzione-milan-334665",),
    "tuttonapoli": (
        "https://www.tuttonapoli.net/rassegna-stampa/prima-pagina-tuttosport-juve-ciao-arthur-ecco-jorginho-433817",
    ),
    "goal_it": (
        "https://www.goal.com/it/liste/corriere-dello-sport-allegri-il-real-madrid-ci-prova-di-nuovo-e-pronto-a-strapparlo-al-milan/blt7102118f97851239",
        "https://www.goal.com/it/notizie/maiorca-muriqi-goal-decisivo-atletico-madrid/blt181fd44f6e23c1e0",
        "https://www.goal.com/it/notizie/calendario-serie-a-dove-vedere-le-partite-su-sky-dazn/15xq0ezenmop915t22cio9f74h",
    ),
    "eurosport_it": (
        "https://www.eurosport.it/calcio/serie-a/2026-2027/fantacalcio-formazioni-tipo-serie-a-come-giocheranno-e-chi-sono-i-titolari-delle-20-squadre-dopo-il-calciomercato-estivo_sto23324751/story.shtml",
    ),
    "dazn_it": (
        "https://www.dazn.com/it-IT/news/calcio/capocannonieri-serie-a-classifica-marcatori-aggiornata/1sk4dtns3wmef1l94kdidtcn4c",
        "https://www.dazn.com/it-IT/news/altro/serie-a-chi-vince-a-pari-punti-e-in-caso-di-classifica-avulsa/8pfs8lp79uto166dnjta9653g",
    ),
    "oasport": (
        "https://www.oasport.it/2026/05/pallanuoto-la-pro-recco-passa-a-brescia-e-chiude-la-regular-season-di-serie-a1-a-punteggio-pieno/",
        "https://www.oasport.it/2026/08/europei-atletica-2026-gli-italiani-in-gara-giorno-per-giorno-orari-e-dove-vederli-in-tv/",
    ),
    "ultimouomo": ("https://ultimouomo.com/perche-la-difesa-a-3-ha-cosi-successo",),
    "fanpage_sport": (
        "https://www.fanpage.it/sport/calcio/regolamento-diffidati-serie-a-dopo-quante-ammonizioni-scatta-la-squalifica/",
        "https://www.fanpage.it/sport/calcio/il-ciccione-sta-per-morire-la-frase-di-luque-nellinchiesta-sulla-morte-di-maradona/",
    ),
    "pianetamilan": (
        "https://www.pianetamilan.it/news-milan/ultime-notizie/milan-piccari-allegri-real-madrid-e-un-opportunita-da-cogliere-al-volo-05-03-2026/",
        "https://www.pianetamilan.it/news-milan/interviste/calamai-assalto-del-real-ad-allegri-probabilmente-andra-a-vuoto-se-il-milan-vuole-tenerlo-08-03-2026/",
        "https://www.pianetamilan.it/calciomercato/news-calciomercato/gila-il-colpo-in-difesa-tare-ci-pensa-sempre-il-punto-sul-calciomercato-del-milan-07-03-2026/",
        "https://www.pianetamilan.it/news-milan/rassegna-stampa/prima-pagina-tuttosport-modric-e-rabiot-al-real-madrid-con-allegri-05-03-2026/",
    ),
    "fcinter1908": (
        "https://www.fcinter1908.it/calciomercato/mercato-squadre-avversarie/allegri-panchina-realmadrid-cosa-risulta-fabrizio-romano/",
    ),
    "milanlive": (
        "https://milanlive.it/2013/03/20/marchetti-il-milan-monitora-tantissimi-giovani-allegri-ha-dimostrato-di-saperli-gestire",
    ),
    "spaziomilan": (
        "https://spaziomilan.it/2018/10/sm-%e2%80%a2-milan-sampdoria-abate-musacchio-e-romagnoli-abbracciano-gattuso-a-fine-gara",
    ),
    "fantacalcio": (
        "https://www.fantacalcio.it/calciomercato/ultime/04_06_2018/calciomercato-juventus-dalla-spagna-il-real-madrid-vira-con-decisione-su-allegri-per-il-dopo-zidane-la-situazione-299270",
    ),
    "football_italia": ("https://football-italia.net/parma-agreement-gilardino-italy-return-coach/",),
}

# Article URLs we made up from a shape the facts describe (a template, a network pattern, or a
# "likely" permalink) because the facts quote no full URL. They test the regex, not the site.
CONSTRUCTED_ARTICLES: dict[str, tuple[str, ...]] = {
    "skysport": ("https://sport.sky.it/calciomercato/2026/09/11/calciomercato-news-trattative-oggi-11-settembre",),
    "raisport": ("https://www.rainews.it/articoli/2026/09/juventus-esempio-9db6b8dd.html",),
    "calciomercato_it": ("https://www.calciomercato.it/news/juventus-esempio-di-trattativa/123456/",),
    "fcinternews": ("https://www.fcinternews.it/rassegna-stampa/la-gazzetta-dello-sport-esempio-inter-123456",),
    "tuttojuve": ("https://www.tuttojuve.com/rassegna-stampa/tuttosport-esempio-juventus-123456",),
    "lalaziosiamonoi": ("https://www.lalaziosiamonoi.it/rassegna-stampa/corriere-dello-sport-esempio-lazio-123456",),
    "firenzeviola": ("https://www.firenzeviola.it/rassegna-stampa/la-nazione-esempio-fiorentina-123456",),
    "ilposticipo": ("https://www.ilposticipo.it/calcio/esempio-di-articolo/",),
    "cn24": ("https://www.calcionews24.com/esempio-di-articolo/",),
    "juventusnews24": ("https://www.juventusnews24.com/esempio-di-articolo/",),
    "milannews24": ("https://www.milannews24.com/esempio-di-articolo/",),
    "sampnews24": ("https://www.sampnews24.com/esempio-di-articolo/",),
    "lazionews24": ("https://www.lazionews24.com/esempio-di-articolo/",),
    "cagliarinews24": ("https://www.cagliarinews24.com/esempio-di-articolo/",),
    "juvenews": ("https://www.juvenews.eu/news/ultime-notizie/esempio-di-articolo-juventus/",),
    "forzaroma": ("https://www.forzaroma.info/news-as-roma/ultime-notizie/esempio-di-articolo-roma/",),
    "dimarzio": ("https://gianlucadimarzio.com/calciomercato/esempio-di-trattativa-123456",),
    "calcioefinanza": ("https://www.calcioefinanza.it/2026/05/29/esempio-di-articolo-bilancio-serie-a/",),
}

# Pages that are not articles: section, team, table and live pages named in the facts (their
# "non_article_hints"), filled in to full URLs where the facts give only a path template
# ("constructed"). Home pages and start URLs are checked separately for every outlet.
NON_ARTICLES: dict[str, tuple[str, ...]] = {
    "gazzetta": (
        "https://www.gazzetta.it/Calcio/Serie-A/",
        "https://www.gazzetta.it/calcio/serie-a/classifica/",
        "https://www.gazzetta.it/calcio/squadre/juventus/notizie/",
        # constructed: a GazzaNet partner link found in the calcio feed
        "https://www.tuttobolognaweb.it/mercato/il-ritorno-di-theate-oggi/?intcmp=gazzanet-tuttobolognaweb",
        # constructed: the English edition under /en/
        "https://www.gazzetta.it/en/Football/11-09-2026/milan-lazio-preview.shtml",
    ),
    "cds": (
        "https://www.corrieredellosport.it/squadra/calcio/juventus/t128",
        "https://www.corrieredellosport.it/news/calcio/serie-a/",
    ),
    "tuttosport": ("https://www.tuttosport.com/squadra/calcio/juventus/t128",),
    "skysport": (
        "https://sport.sky.it/argomenti/juventus",  # constructed from /argomenti/{tag}
        "https://sport.sky.it/calcio/squadre/juventus/news",
        "https://sport.sky.it/calcio/serie-a/classifica",
        "https://sport.sky.it/calcio/serie-a/calendario-risultati",
        "https://sport.sky.it/calcio/serie-a/probabili-formazioni",
    ),
    "sportmediaset": (
        "https://www.sportmediaset.mediaset.it/calcio/",
        "https://www.sportmediaset.mediaset.it/mercato/juventus/",  # constructed section index
    ),
    "raisport": ("https://www.rainews.it/archivio/sport", "https://www.rainews.it/sport"),
    "ansa": (
        "https://www.ansa.it/sito/notizie/sport/sport.shtml",
        "https://www.ansa.it/sito/notizie/sport/calcio/calcio.shtml",  # constructed "*.shtml category page"
    ),
    "repubblica": ("https://www.repubblica.it/sport/", "https://www.repubblica.it/sport/calcio/"),
    "corriere": (
        "https://www.corriere.it/sport/calcio/serie-a/marcatori/",
        "https://www.corriere.it/sport/risultati-live/",
    ),
    "calciomercato_com": ("https://www.calciomercato.com/serie-a",),
    "calciomercato_it": ("https://www.calciomercato.it/news/",),  # constructed
    "tmw": ("https://www.tuttomercatoweb.com/serie-a/", "https://www.tuttomercatoweb.com/rassegna-stampa/"),
    # constructed for the club network: TMW's section pages, which lack the trailing -{id}
    "fcinternews": ("https://www.fcinternews.it/rassegna-stampa/",),
    "milannews": ("https://www.milannews.it/rassegna-stampa/",),
    "tuttojuve": ("https://www.tuttojuve.com/rassegna-stampa/",),
    "lalaziosiamonoi": ("https://www.lalaziosiamonoi.it/rassegna-stampa/",),
    "firenzeviola": ("https://www.firenzeviola.it/rassegna-stampa/",),
    "tuttonapoli": ("https://www.tuttonapoli.net/rassegna-stampa/",),
    "goal_it": (
        "https://www.goal.com/it/notizie",  # constructed
        "https://www.goal.com/br/listas/exemplo/blt7102118f97851239",  # constructed from /br/listas/
    ),
    "eurosport_it": (  # constructed from the _mtc live, classifica and teamcenter templates
        "https://www.eurosport.it/calcio/serie-a/2026-2027/juventus-roma_mtc21874331/live.shtml",
        "https://www.eurosport.it/calcio/serie-a/classifica.shtml",
        "https://www.eurosport.it/calcio/juventus/teamcenter.shtml",
    ),
    "dazn_it": ("https://www.dazn.com/it-IT/news/calcio",),
    "oasport": ("https://www.oasport.it/2026/05/", "https://www.oasport.it/2026/05/12/"),  # constructed archives
    "ultimouomo": ("https://www.ultimouomo.com/feed?paged=2",),  # constructed
    "fanpage_sport": (
        "https://www.fanpage.it/sport/",
        "https://www.fanpage.it/sport/calcio/",
        "https://www.fanpage.it/sport/calcio/feed/",  # likely section feed
    ),
    "ilposticipo": (  # constructed: network /commenti page and pagination
        "https://www.ilposticipo.it/calcio/esempio-di-articolo/commenti",
        "https://www.ilposticipo.it/calcio/2",
    ),
    # constructed for the WordPress network: archive roots
    "cn24": ("https://www.calcionews24.com/category/calcio/", "https://www.calcionews24.com/feed/"),
    "juventusnews24": ("https://www.juventusnews24.com/category/news/",),
    "milannews24": ("https://www.milannews24.com/category/news/",),
    "sampnews24": ("https://www.sampnews24.com/category/news/",),
    "lazionews24": ("https://www.lazionews24.com/feed/",),
    "cagliarinews24": ("https://www.cagliarinews24.com/feed/",),
    "pianetamilan": (  # constructed from the /commenti and /{N} hints
        "https://www.pianetamilan.it/news-milan/ultime-notizie/milan-piccari-allegri-real-madrid-e-un-opportunita-da-cogliere-al-volo-05-03-2026/commenti",
        "https://www.pianetamilan.it/news-milan/ultime-notizie/2",
        "https://www.pianetamilan.it/news-milan/ultime-notizie/commenti",
    ),
    "fcinter1908": ("https://www.fcinter1908.it/calciomercato/mercato-squadre-avversarie/",),
    "juvenews": ("https://www.juvenews.eu/news/ultime-notizie/2/",),
    "forzaroma": ("https://www.forzaroma.info/news-as-roma/ultime-notizie/",),
    "milanlive": ("https://www.milanlive.it/2013/03/20/",),  # constructed day archive
    "spaziomilan": ("https://spaziomilan.it/2018/10/05/",),  # constructed day archive
    "fantacalcio": ("https://www.fantacalcio.it/news",),
    "football_italia": (
        "https://football-italia.net/category/teams/milan/",
        "https://football-italia.net/match/milan-lazio/live",  # constructed from /match/{slug}/live
    ),
    "dimarzio": ("https://www.gianlucadimarzio.com/calciomercato/",),
    "calcioefinanza": ("https://www.calcioefinanza.it/2026/05/29/",),  # constructed day archive
}

START_FIELDS = ("feeds", "sitemaps", "listing_pages")


def article_examples(key: str) -> tuple[str, ...]:
    return SEEN_ARTICLES.get(key, ()) + CONSTRUCTED_ARTICLES.get(key, ())


def regex_comment_urls(key: str) -> list[str]:
    """The URLs in the comment block right above ``article_url=`` in the outlet's module."""
    lines = inspect.getsource(importlib.import_module(f"crawler.outlets.{key}")).splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("article_url="))
    urls: list[str] = []
    i = at - 1
    while i >= 0 and lines[i].strip().startswith("#"):
        urls.extend(re.findall(r"https?://\S+", lines[i]))
        i -= 1
    return urls


# --- built-in outlets ----------------------------------------------------------------------------


def test_builtin_count_and_test_data_cover_every_outlet() -> None:
    assert len(BUILTIN) >= 20
    assert list(BUILTIN) == sorted(BUILTIN)
    for key in BUILTIN:
        assert article_examples(key), f"{key}: add an example article URL to this test"
        assert NON_ARTICLES.get(key), f"{key}: add a non-article URL to this test"
    stale = (set(SEEN_ARTICLES) | set(CONSTRUCTED_ARTICLES) | set(NON_ARTICLES)) - set(BUILTIN)
    assert not stale, f"test data for outlets that do not exist: {stale}"


@pytest.mark.parametrize("key", sorted(BUILTIN))
def test_builtin_outlet(key: str) -> None:
    spec = BUILTIN[key]
    module = importlib.import_module(f"crawler.outlets.{key}")
    assert module.OUTLET is spec
    assert spec.key == key == module.__name__.rsplit(".", 1)[1]
    assert module.__doc__ and "\n" not in module.__doc__.strip(), "module docstring must be one line"
    assert spec.name and spec.homepage and spec.notes
    assert spec.language == ("en" if key == "football_italia" else "it")

    # The regex compiles and tells articles from everything else.
    assert spec.article_re is not None
    for url in article_examples(key):
        assert spec.is_article(url), f"{key}: example article not matched: {url}"
        # Tracking parameters arrive with feed links and must not turn an article away.
        assert spec.is_article(url + "?utm_source=rss&intcmp=x"), url
    for url in NON_ARTICLES[key]:
        assert not spec.is_article(url), f"{key}: non-article matched: {url}"
    for url in (spec.homepage, *spec.start_urls):
        assert not spec.is_article(url), f"{key}: a start URL or the homepage looks like an article: {url}"

    # We never fetch outside an outlet's domains.
    for domain in spec.domains:
        assert domain == domain.lower() and "/" not in domain and ":" not in domain
    for field in START_FIELDS:
        for url in getattr(spec, field):
            assert url.startswith(("https://", "http://")), url
            assert spec.owns(url), f"{key}: {field} URL off the outlet's domains: {url}"
    assert spec.owns(spec.homepage)
    assert spec.start_urls or spec.robots, f"{key}: nothing to crawl from"
    assert len(set(spec.start_urls)) == len(spec.start_urls), f"{key}: a start URL is listed twice"

    # Nobody on this project checked these outlets live: every fact in use is marked unverified.
    assert set(spec.unverified) <= SPEC_FIELDS
    assert "article_url" in spec.unverified
    for field in START_FIELDS:
        if getattr(spec, field):
            assert field in spec.unverified, f"{key}: {field} was not checked live"
    if spec.robots:
        assert "robots" in spec.unverified


@pytest.mark.parametrize("key", sorted(BUILTIN))
def test_regex_comment_example_matches(key: str) -> None:
    urls = regex_comment_urls(key)
    assert urls, f"{key}: put an example article URL in a comment right above article_url"
    for url in urls:
        assert BUILTIN[key].is_article(url), f"{key}: the example in the comment does not match: {url}"
        assert url in article_examples(key), f"{key}: keep the comment's example in this test's tables: {url}"


def test_feeds_marked_dead_in_the_facts_are_left_out() -> None:
    assert not any("/rss/home.xml" in f or "/rss/calcio.xml" in f for f in BUILTIN["gazzetta"].feeds)
    assert "https://www.sportmediaset.mediaset.it/rss/calcio.xml" not in BUILTIN["sportmediaset"].feeds
    assert BUILTIN["sportmediaset"].listing_pages
    assert BUILTIN["fantacalcio"].feeds == () and BUILTIN["fantacalcio"].listing_pages


def test_gazzetta_stays_off_other_gazzetta_hosts() -> None:
    gazzetta = BUILTIN["gazzetta"]
    assert not gazzetta.owns("https://video.gazzetta.it/calcio/some-video")


# --- the TOML loader -----------------------------------------------------------------------------

EXAMPLE_FILE = r"""
[[outlet]]
key = "feedsport"
name = "Feedsport"
domains = ["127.0.0.21"]
language = "it"
article_url = '/(calcio|riservato)/\d{4}/\d{2}/\d{2}/[a-z0-9-]+-\d+\.html(\?.*)?$'
feeds = ["http://127.0.0.21:18121/rss/calcio.xml"]

[[outlet]]
key = "mappasport"
name = "Mappasport"
domains = ["127.0.0.22"]
language = "it"
article_url = '/(calcio|riservato)/\d{4}/\d{2}/\d{2}/[a-z0-9-]+-\d+\.html(\?.*)?$'
robots = true
"""

GOOD_TABLE = """
[[outlet]]
key = "feedsport"
domains = ["127.0.0.21"]
feeds = ["http://127.0.0.21:18121/rss/calcio.xml"]
"""


@pytest.fixture
def write_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Write outlets.toml in a temporary working directory; return its relative name for clean messages."""
    monkeypatch.chdir(tmp_path)

    def write(text: str, name: str = "outlets.toml") -> str:
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return name

    return write


def test_example_file_loads(write_file) -> None:
    outlets = load_outlet_file(write_file(EXAMPLE_FILE))
    assert list(outlets) == ["feedsport", "mappasport"]
    feedsport, mappasport = outlets["feedsport"], outlets["mappasport"]
    assert feedsport.name == "Feedsport"
    assert feedsport.domains == ("127.0.0.21",)
    assert feedsport.feeds == ("http://127.0.0.21:18121/rss/calcio.xml",)
    assert feedsport.is_article("http://127.0.0.21:18121/calcio/2026/09/11/derby-della-mole-123.html?x=1")
    assert not feedsport.is_article("http://127.0.0.21:18121/calcio/")
    assert not feedsport.is_article("http://127.0.0.99:18121/calcio/2026/09/11/derby-della-mole-123.html")
    assert mappasport.robots is True
    assert mappasport.feeds == mappasport.sitemaps == mappasport.listing_pages == ()
    assert mappasport.homepage == ""
    assert mappasport.language == "it"


def test_domain_with_port(write_file) -> None:
    path = write_file(
        """
        [[outlet]]
        key = "portsport"
        domains = ["127.0.0.21:18121"]
        feeds = ["http://127.0.0.21:18121/rss/calcio.xml"]
        robots = true
        """
    )
    spec = load_outlet_file(path)["portsport"]
    assert spec.domains == ("127.0.0.21:18121",)
    assert spec.owns("http://127.0.0.21:18121/calcio/1.html")
    assert not spec.owns("http://127.0.0.21:18122/calcio/1.html")


def test_defaults_and_optional_fields(write_file) -> None:
    path = write_file(
        """
        [[outlet]]
        key = "localnews"
        domains = ["LOCALHOST."]
        listing_pages = ["http://localhost:8080/sport/"]
        sitemaps = ["http://localhost:8080/sitemap.xml"]
        homepage = "http://localhost:8080/"
        languages = ["it", "en"]
        notes = "a test site"
        """
    )
    spec = load_outlet_file(path)["localnews"]
    assert spec.name == "localnews"  # name defaults to the key
    assert spec.domains == ("localhost",)  # hosts are case-insensitive
    assert spec.language == "it"
    assert spec.languages == ("it", "en")
    assert spec.article_url == ""
    assert spec.robots is False
    assert spec.homepage == "http://localhost:8080/"
    assert spec.notes == "a test site"


MALFORMED = [
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nfeeds = "http://127.0.0.21:18121/rss/calcio.xml"',
        ["outlets.toml: outlet 'feedsport': field 'feeds' must be a list of URLs, got str"],
        id="feeds-not-a-list",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nfeeds = ["http://127.0.0.21/a.xml", 3]',
        ["outlet 'feedsport'", "field 'feeds'", "got int at position 2"],
        id="feeds-item-not-a-string",
    ),
    pytest.param(
        'name = "No key"\ndomains = ["127.0.0.21"]\nfeeds = ["http://127.0.0.21/a.xml"]',
        ["outlets.toml: outlet #1: field 'key' is required"],
        id="key-missing",
    ),
    pytest.param(
        'key = "Feed-Sport"\ndomains = ["127.0.0.21"]\nfeeds = ["http://127.0.0.21/a.xml"]',
        ["outlet 'Feed-Sport'", "field 'key'", "snake_case"],
        id="key-not-snake-case",
    ),
    pytest.param(
        'key = "feedsport"\nfeeds = ["http://127.0.0.21/a.xml"]',
        ["outlet 'feedsport'", "field 'domains' is required"],
        id="domains-missing",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = []\nrobots = true',
        ["outlet 'feedsport'", "field 'domains'", "at least one host"],
        id="domains-empty",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = "127.0.0.21"\nrobots = true',
        ["outlet 'feedsport'", "field 'domains' must be a list of hosts, got str"],
        id="domains-not-a-list",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["https://127.0.0.21/"]\nrobots = true',
        ["outlet 'feedsport'", "field 'domains'", "no scheme or path", "'https://127.0.0.21/'"],
        id="domains-with-scheme",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21:99999"]\nrobots = true',
        ["outlet 'feedsport'", "field 'domains'", "'127.0.0.21:99999'"],
        id="domains-with-bad-port",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21:18121"]\nfeeds = ["http://127.0.0.21:18122/rss.xml"]',
        ["outlet 'feedsport'", "field 'feeds'", "host '127.0.0.21:18122' is not within domains"],
        id="feed-on-another-port",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nfeed = ["http://127.0.0.21/a.xml"]',
        ["outlet 'feedsport'", "unknown field 'feed'", "did you mean 'feeds'?"],
        id="unknown-field-typo",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = true\nunverified = ["feeds"]',
        ["outlet 'feedsport'", "unknown field 'unverified'"],
        id="unknown-field",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = true\narticle_url = \'/calcio/(\\d+\'',
        ["outlet 'feedsport'", "field 'article_url' is not a valid regex", "missing ), unterminated subpattern"],
        id="bad-regex",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nsitemaps = ["ftp://127.0.0.21/sitemap.xml"]',
        ["outlet 'feedsport'", "field 'sitemaps'", "not an http(s) URL"],
        id="sitemap-not-http",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nfeeds = ["127.0.0.21/rss.xml"]',
        ["outlet 'feedsport'", "field 'feeds'", "not an http(s) URL"],
        id="feed-without-scheme",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nfeeds = ["http://127.0.0.99:18121/rss.xml"]',
        ["outlet 'feedsport'", "field 'feeds'", "host '127.0.0.99:18121' is not within domains", "never fetch outside"],
        id="feed-off-domain",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["sport.example.it"]\nlisting_pages = ["https://example.it/sport/"]',
        ["outlet 'feedsport'", "field 'listing_pages'", "host 'example.it' is not within domains"],
        id="listing-page-on-parent-domain",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = true\nhomepage = "http://127.0.0.99/"',
        ["outlet 'feedsport'", "field 'homepage'", "not within domains"],
        id="homepage-off-domain",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nfeeds = ["http://127.0.0.21:99999/rss.xml"]',
        ["outlet 'feedsport'", "field 'feeds'", "not a valid URL"],
        id="feed-bad-port",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = "yes"',
        ["outlet 'feedsport'", "field 'robots' must be true or false, got str"],
        id="robots-not-bool",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = false',
        ["outlet 'feedsport'", "nothing to crawl", "'feeds'", "'sitemaps'", "'listing_pages'", "'robots'"],
        id="nothing-to-crawl",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = true\nlanguage = "ita"',
        ["outlet 'feedsport'", "field 'language'", "ISO 639-1", "'ita'"],
        id="language-not-iso",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = true\nlanguages = "it"',
        ["outlet 'feedsport'", "field 'languages' must be a list of ISO 639-1 codes, got str"],
        id="languages-not-a-list",
    ),
    pytest.param(
        'key = "feedsport"\nname = 3\ndomains = ["127.0.0.21"]\nrobots = true',
        ["outlet 'feedsport'", "field 'name' must be a string, got int"],
        id="name-not-a-string",
    ),
    pytest.param(
        'key = "feedsport"\ndomains = ["127.0.0.21"]\nrobots = true\nnotes = ["a", "b"]',
        ["outlet 'feedsport'", "field 'notes' must be a string, got list"],
        id="notes-not-a-string",
    ),
]


@pytest.mark.parametrize(("table", "expected"), MALFORMED)
def test_malformed_outlet_names_file_outlet_and_field(write_file, table: str, expected: list[str]) -> None:
    path = write_file("[[outlet]]\n" + table + "\n")
    with pytest.raises(OutletFileError) as info:
        load_outlet_file(path)
    message = str(info.value)
    assert message.startswith("outlets.toml: ")
    for fragment in expected:
        assert fragment in message


def test_missing_key_in_a_later_outlet_is_named_by_position(write_file) -> None:
    path = write_file(GOOD_TABLE + '[[outlet]]\ndomains = ["127.0.0.22"]\nrobots = true\n')
    with pytest.raises(OutletFileError, match=r"^outlets\.toml: outlet #2: field 'key' is required$"):
        load_outlet_file(path)


def test_duplicate_keys_in_a_file(write_file) -> None:
    path = write_file(GOOD_TABLE + GOOD_TABLE)
    with pytest.raises(OutletFileError) as info:
        load_outlet_file(path)
    message = str(info.value)
    assert "outlets.toml: outlet 'feedsport': field 'key'" in message
    assert "duplicate" in message and "#1" in message and "#2" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('[[outlet]]\nkey = "feedsport\n', ["invalid TOML", "line 2"], id="toml-syntax"),
        pytest.param('[[outlet]]\nkey "feedsport"\n', ["invalid TOML", "line 2"], id="toml-missing-equals"),
        pytest.param("", ["no [[outlet]] tables"], id="empty-file"),
        pytest.param(GOOD_TABLE.replace("[[outlet]]", "[[outlets]]"), ["unknown top-level key 'outlets'"], id="typo"),
        pytest.param(GOOD_TABLE.replace("[[outlet]]", "[outlet]"), ["array of tables", "got table"], id="one-table"),
    ],
)
def test_malformed_file(write_file, text: str, expected: list[str]) -> None:
    path = write_file(text)
    with pytest.raises(OutletFileError) as info:
        load_outlet_file(path)
    message = str(info.value)
    assert message.startswith("outlets.toml: ")
    for fragment in expected:
        assert fragment in message


def test_missing_file(write_file) -> None:
    with pytest.raises(OutletFileError, match=r"^nope\.toml: cannot read outlets file"):
        load_outlet_file("nope.toml")


def test_outlet_file_error_is_a_value_error() -> None:
    assert issubclass(OutletFileError, ValueError)


# --- select_outlets ------------------------------------------------------------------------------


def test_select_everything_builtin_by_default() -> None:
    assert [o.key for o in select_outlets(None, None)] == sorted(BUILTIN)


def test_select_by_keys_sorted_and_deduplicated() -> None:
    chosen = select_outlets(["tmw", "gazzetta", "tmw"], None)
    assert [o.key for o in chosen] == ["gazzetta", "tmw"]
    assert chosen[0] is BUILTIN["gazzetta"]


def test_select_unknown_key_lists_known_keys() -> None:
    with pytest.raises(OutletFileError) as info:
        select_outlets(["gazzetta", "nosuch"], None)
    message = str(info.value)
    assert "'nosuch'" in message
    assert "ansa, " in message and "gazzetta" in message and "tmw" in message


def test_select_file_only_returns_the_files_outlets(write_file) -> None:
    path = write_file(EXAMPLE_FILE)
    assert [o.key for o in select_outlets(None, path)] == ["feedsport", "mappasport"]


def test_select_keys_across_builtin_and_file(write_file) -> None:
    path = write_file(EXAMPLE_FILE)
    assert [o.key for o in select_outlets(["tmw", "feedsport"], path)] == ["feedsport", "tmw"]
    with pytest.raises(OutletFileError, match="feedsport"):  # the known list includes the file's keys
        select_outlets(["nosuch"], path)


def test_file_outlet_replaces_builtin_with_same_key(write_file) -> None:
    path = write_file('[[outlet]]\nkey = "gazzetta"\ndomains = ["127.0.0.23"]\nfeeds = ["http://127.0.0.23/rss.xml"]\n')
    [replaced] = select_outlets(["gazzetta"], path)
    assert replaced.domains == ("127.0.0.23",)
    assert replaced.name == "gazzetta"
    assert [o.key for o in select_outlets(None, path)] == ["gazzetta"]
    assert load_builtin()["gazzetta"].domains == ("www.gazzetta.it",)  # the built-in itself is untouched


def test_select_propagates_file_errors(write_file) -> None:
    path = write_file('[[outlet]]\nkey = "x"\n')
    with pytest.raises(OutletFileError, match="field 'domains'"):
        select_outlets(None, path)


# --- load_builtin on throw-away packages ---------------------------------------------------------

SPEC_MODULE = """
from crawler.outlets.spec import OutletSpec
OUTLET = OutletSpec(key={key!r}, name="X", domains=("x.example",), feeds=({feed!r},))
"""


def make_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, modules: dict[str, str]) -> str:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    # The machinery modules must be skipped: importing these would fail the test.
    (package / "spec.py").write_text("raise RuntimeError('spec must not be loaded as an outlet')\n")
    (package / "registry.py").write_text("raise RuntimeError('registry must not be loaded as an outlet')\n")
    for module, source in modules.items():
        (package / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def outlet_module(key: str, feed: str = "https://x.example/feed") -> str:
    return SPEC_MODULE.format(key=key, feed=feed)


def test_load_builtin_discovers_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = make_package(tmp_path, monkeypatch, "fake_outlets_ok", {"alpha": outlet_module("alpha")})
    assert list(load_builtin(pkg)) == ["alpha"]


def test_load_builtin_refuses_duplicate_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = make_package(
        tmp_path, monkeypatch, "fake_outlets_dup", {"alpha": outlet_module("beta"), "beta": outlet_module("beta")}
    )
    with pytest.raises(OutletFileError, match="duplicate outlet key 'beta'"):
        load_builtin(pkg)


def test_load_builtin_refuses_key_unlike_module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = make_package(tmp_path, monkeypatch, "fake_outlets_name", {"alpha": outlet_module("gamma")})
    with pytest.raises(OutletFileError, match="'gamma' must equal the module name 'alpha'"):
        load_builtin(pkg)


def test_load_builtin_refuses_module_without_outlet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = make_package(tmp_path, monkeypatch, "fake_outlets_none", {"alpha": "X = 1\n"})
    with pytest.raises(OutletFileError, match="must define OUTLET"):
        load_builtin(pkg)


def test_load_builtin_refuses_start_url_off_domains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modules = {"alpha": outlet_module("alpha", feed="https://elsewhere.example/feed")}
    pkg = make_package(tmp_path, monkeypatch, "fake_outlets_off", modules)
    with pytest.raises(OutletFileError, match=r"field 'feeds'.*not within domains"):
        load_builtin(pkg)
