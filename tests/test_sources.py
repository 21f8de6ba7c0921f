"""crawlers/sources.toml: the shipped declarations, mistakes named precisely, `funding crawl` defaults."""

import textwrap

import pytest
from click.testing import CliRunner

from funding.cli import main
from funding.harvest import crawl as harvest
from funding.harvest.crawl import CrawlOutcome, crawl_command, spider_names
from funding.harvest.sources import SOURCES_FILE, SourcesError, load_sources
from funding.settings import get_settings

NO_DATA = ("afd", "fondation_de_france", "bpifrance", "fundsforngos", "uk_find_a_grant")


def write(tmp_path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def test_every_spider_is_declared_and_the_shipped_file_loads():
    sources = load_sources(SOURCES_FILE)
    assert set(spider_names()) <= set(sources)
    assert all(sources[name].kind == "spider" for name in spider_names())
    assert "configured" not in sources and "configured" not in spider_names()


@pytest.mark.parametrize("name", NO_DATA)
def test_sources_without_recorded_data_are_unverified_and_disabled(name):
    source = load_sources(SOURCES_FILE)[name]
    assert source.unverified and not source.enabled and source.configured
    assert source.note and source.schedule == "daily"


def test_shipped_kinds_and_urls():
    sources = load_sources(SOURCES_FILE)
    assert sources["fundsforngos"].kind == "rss"
    assert sources["fundsforngos"].urls == ("https://www2.fundsforngos.org/feed/",)
    assert sources["afd"].urls[0].startswith("https://www.afd.fr/fr/appels-a-projets/liste?")
    assert (sources["afd"].kind, sources["bpifrance"].kind) == ("html", "html")
    uk = sources["uk_find_a_grant"]
    assert uk.kind == "json" and "{buildId}" in uk.urls[0] and uk.build_id_from


def test_defaults_schedule_and_enabled(tmp_path):
    sources = load_sources(
        write(
            tmp_path,
            """
        [eu_sedia]
        kind = "spider"
        [grants_gov]
        kind = "spider"
        enabled = false
        schedule = "0 5 * * 1"
        [feed]
        kind = "rss"
        url = "https://example.org/feed/"
        unverified = true
        schedule = "weekly"
    """,
        )
    )
    assert [(s.name, s.enabled, s.schedule) for s in sources.values()] == [
        ("eu_sedia", True, "daily"),
        ("grants_gov", False, "0 5 * * 1"),
        ("feed", False, "weekly"),
    ]
    assert sources["feed"].spider == "configured" and sources["eu_sedia"].spider == "eu_sedia"


HTML = """
[afd]
kind = "html"
url = "https://www.afd.fr/fr/appels-a-projets/liste"
listing = "a.call::attr(href)"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HTML + "fields.title = 42\n",
            "sources.toml: [afd] fields.title: expected a CSS selector string",
        ),
        (
            HTML + 'fields.title = "h1 ::text"\nfields.deadline = "p"\n',
            "sources.toml: [afd] fields.deadline: not a contract field",
        ),
        (
            HTML + 'fields.title = "h1 >> p"\n',
            "sources.toml: [afd] fields.title: 'h1 >> p' is not a valid CSS selector",
        ),
        (HTML, "sources.toml: [afd] fields.title: is required"),
        (
            HTML + 'fields.title = { css = "h1", re = "(a)(b)" }\n',
            "sources.toml: [afd] fields.title.re: use at most one (group)",
        ),
        (
            HTML + 'fields.title = { css = "h1", trim = true }\n',
            "sources.toml: [afd] fields.title.trim: unknown option",
        ),
        (
            HTML + 'fields.title = "h1"\nschedule = "sometimes"\n',
            "sources.toml: [afd] schedule: expected hourly, daily",
        ),
        (
            HTML + 'fields.title = "h1"\nenabled = "yes"\n',
            "sources.toml: [afd] enabled: expected true or false",
        ),
        (
            HTML + 'fields.title = "h1"\nlisitng = "a"\n',
            "sources.toml: [afd] lisitng: unknown key for kind 'html'",
        ),
        (
            HTML + 'fields.title = "h1"\ndefaults.title = "x"\n',
            "sources.toml: [afd] defaults.title: not a contract field that can have a default",
        ),
        (
            '[afd]\nkind = "html"\nlisting = "a"\nfields.title = "h1"\n',
            "sources.toml: [afd] url: is required",
        ),
        (
            '[afd]\nkind = "html"\nurl = "www.afd.fr"\nlisting = "a"\n',
            "sources.toml: [afd] url: 'www.afd.fr' is not an absolute http(s) URL",
        ),
        (
            '[afd]\nkind = "ftp"\n',
            "sources.toml: [afd] kind: expected one of spider, rss, json, html, got 'ftp'",
        ),
        (
            '[nope]\nkind = "spider"\n',
            "sources.toml: [nope] kind: no spider file crawlers/spiders/nope.py",
        ),
        (
            '[eu_sedia]\nkind = "rss"\nurl = "https://x.org/feed"\n',
            "sources.toml: [eu_sedia] kind: crawlers/spiders/eu_sedia.py exists",
        ),
        (
            '[configured]\nkind = "rss"\nurl = "https://x.org/feed"\n',
            "sources.toml: [configured]: 'configured' is the generic spider's own name",
        ),
        (
            '[g]\nkind = "json"\nurl = "https://x.org/a.json"\nbuild_id_from = "https://x.org"\nfields = { title = "t", url = "u" }\n',
            "sources.toml: [g] build_id_from: the url has no {buildId} to fill in",
        ),
        (
            '[g]\nkind = "json"\nurl = "https://x.org/a.json"\nfields = { title = "t" }\n',
            "sources.toml: [g] fields.url: is required",
        ),
        ("[afd\n", "sources.toml: not valid TOML"),
    ],
)
def test_mistakes_name_the_file_the_source_and_the_key(tmp_path, text, message):
    with pytest.raises(SourcesError) as error:
        load_sources(write(tmp_path, text))
    assert str(error.value).startswith(message), str(error.value)


def test_crawl_command_of_a_configured_source():
    assert crawl_command("afd", limit=2)[1:] == [
        "-m",
        "scrapy",
        "crawl",
        "configured",
        "-a",
        "source=afd",
        "-a",
        "limit=2",
    ]
    assert crawl_command("eu_sedia")[1:] == ["-m", "scrapy", "crawl", "eu_sedia"]


@pytest.fixture
def declared(tmp_path, monkeypatch, database_url):
    """A sources file of three sources, one of them disabled, and crawls that only record names."""
    path = write(
        tmp_path,
        """
        [eu_sedia]
        kind = "spider"
        [grants_gov]
        kind = "spider"
        enabled = false
        [fundsforngos]
        kind = "rss"
        url = "https://www2.fundsforngos.org/feed/"
        enabled = true
    """,
    )
    monkeypatch.setenv("FUNDING_SOURCES_FILE", str(path))
    get_settings.cache_clear()
    monkeypatch.setattr(harvest, "spider_names", lambda: ["eu_sedia", "grants_gov"])
    ran = []

    def fake_crawl(engine, name, *, base_url=None, limit=None):
        ran.append(name)
        return CrawlOutcome(name, "ok")

    monkeypatch.setattr(harvest, "crawl", fake_crawl)
    return ran


def test_funding_crawl_defaults_to_the_enabled_sources(declared):
    result = CliRunner().invoke(main, ["crawl"])
    assert result.exit_code == 0, result.output
    assert declared == ["eu_sedia", "fundsforngos"]


def test_funding_crawl_all_and_named(declared):
    assert CliRunner().invoke(main, ["crawl", "--all"]).exit_code == 0
    assert CliRunner().invoke(main, ["crawl", "grants_gov"]).exit_code == 0
    assert declared == ["eu_sedia", "grants_gov", "fundsforngos", "grants_gov"]


def test_a_broken_sources_file_is_reported_not_a_traceback(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("FUNDING_SOURCES_FILE", str(write(tmp_path, '[x]\nkind = "ftp"\n')))
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["crawl"])
    assert result.exit_code == 1
    assert "sources.toml: [x] kind: expected one of spider, rss, json, html" in result.output
