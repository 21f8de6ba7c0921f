"""`funding crawl`: a process per source, failures reported, exit status 1 if any failed."""

import os
import subprocess
import sys

from click.testing import CliRunner

from funding.cli import main
from funding.harvest import crawl as harvest
from funding.harvest.crawl import CrawlOutcome, crawl_command, crawl_environment
from funding.harvest.sources import SourceDeclaration
from tests.crawlers.mirror import Reply

FAST_ENV = {
    "FUNDING_CRAWL_DELAY": "0",
    "FUNDING_CRAWL_AUTOTHROTTLE": "false",
    "FUNDING_HTTPCACHE_ENABLED": "false",
}


def run_funding(*args):
    command = [sys.executable, "-m", "funding.cli", *args]
    env = {**os.environ, **FAST_ENV}
    return subprocess.run(
        command, check=False, capture_output=True, text=True, env=env, timeout=120
    )


def test_crawl_command_reports_each_source(sedia_server, database_url):
    ok = run_funding("crawl", "eu_sedia", "--base-url", sedia_server.url)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "eu_sedia: ok, 12 items: 12 inserted, 0 updated, 0 unchanged, 0 rejected" in ok.stdout
    assert (
        "enriched: 12 examined" in ok.stdout
    )  # read from the text and deduplicated after the crawl
    again = run_funding("crawl", "eu_sedia", "--base-url", sedia_server.url)
    assert "12 unchanged" in again.stdout and "enriched" not in again.stdout
    sedia_server.fail = True
    failed = run_funding("crawl", "eu_sedia", "--base-url", sedia_server.url, "--limit", "5")
    assert failed.returncode == 1
    assert "eu_sedia: failed, 0 items" in failed.stdout and "no items returned" in failed.stdout
    assert "failed: eu_sedia" in failed.stderr


def test_a_failing_crawl_does_not_stop_the_others(monkeypatch, database_url):
    ran = []

    def fake_crawl(engine, name, *, base_url=None, limit=None):
        ran.append((name, base_url, limit))
        return CrawlOutcome(name, "failed" if name == "alpha" else "ok", "boom")

    sources = {name: SourceDeclaration(name=name, kind="spider") for name in ("alpha", "beta")}
    monkeypatch.setattr(harvest, "available_sources", lambda: sources)
    monkeypatch.setattr(harvest, "crawl", fake_crawl)
    result = CliRunner().invoke(
        main, ["crawl", "--all", "--base-url", "http://mirror", "--limit", "2"]
    )
    assert result.exit_code == 1
    assert ran == [("alpha", "http://mirror", 2), ("beta", "http://mirror", 2)]
    assert "alpha: failed (boom)" in result.output and "beta: ok" in result.output
    assert "failed: alpha" in result.output


def test_unknown_source_is_a_usage_error(database_url):
    unknown = CliRunner().invoke(main, ["crawl", "nope"])
    assert unknown.exit_code == 2 and "unknown source: nope" in unknown.output
    assert "eu_sedia" in unknown.output


def test_crawl_command_and_environment(database_url, tmp_path):
    assert crawl_command("eu_sedia", base_url="http://x", limit=3)[1:] == [
        "-m",
        "scrapy",
        "crawl",
        "eu_sedia",
        "-a",
        "base_url=http://x",
        "-a",
        "limit=3",
    ]
    env = crawl_environment()
    assert env["FUNDING_DATABASE_URL"] == database_url
    assert env["FUNDING_DATA_DIR"] == str(tmp_path / "data")


def test_a_crawl_enriches_only_what_its_own_run_changed(mirror, database_url):
    """Another writer stores calls while the crawl runs: they are its job to enrich, not the
    crawl's (two enrichments of the same calls queued review rows twice)."""
    from sqlmodel import Session

    from funding.store.db import get_engine, upgrade
    from funding.store.opportunities import store_record
    from tests.crawlers.test_faults import FEED, PAGES

    upgrade(get_engine())

    def feed(request):
        if request.query.get("page", ["1"])[0] == "1":
            with Session(get_engine()) as session:  # another writer, meanwhile
                for n in range(5):
                    store_record(
                        session,
                        {
                            "id": f"other:{n}",
                            "title": f"Appel {n}",
                            "url": f"https://other.example/{n}",
                        },
                    )
                session.commit()
        return Reply(body=PAGES[request.query.get("page", ["1"])[0]])

    mirror.route("GET", FEED, feed)
    result = run_funding("crawl", "drome", "--base-url", mirror.url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "drome: ok, 3 items: 3 inserted" in result.stdout
    assert "enriched: 3 examined" in result.stdout, result.stdout


def test_crawl_works_from_an_installed_package_and_another_folder(
    sedia_server, database_url, tmp_path
):
    """`funding crawl` from a copy of the packages without scrapy.cfg (as a wheel installs them),
    run from a folder that is not the project's: Scrapy is told its settings module."""
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    site = tmp_path / "site-packages"
    for package in ("funding", "crawlers"):
        shutil.copytree(
            root / package, site / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert not (site / "scrapy.cfg").exists() and not (elsewhere / "scrapy.cfg").exists()
    env = {**os.environ, **FAST_ENV, "PYTHONPATH": str(site)}
    code = "import funding, sys; print(funding.__file__); sys.exit(__import__('funding.cli').cli.main())"
    result = subprocess.run(
        [sys.executable, "-c", code, "crawl", "eu_sedia", "--base-url", sedia_server.url],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.stdout.startswith(str(site)), result.stdout  # the copy ran, not the checkout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "eu_sedia: ok, 12 items: 12 inserted" in result.stdout
