"""End to end: `funding serve` on 127.0.0.1, driven with Playwright on Debian's Chromium.

Streamlit draws over a websocket, so every step waits for an element, never for a time.
"""

import csv
import io
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.digests.conftest import SMTPServer
from tests.ui.conftest import AS_OF, PROFILES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip(
        "/usr/bin/chromium is not installed (apt-get install chromium); not in CI",
        allow_module_level=True,
    )
playwright = (
    pytest.importorskip("playwright.sync_api")
    if os.environ.get("CI") != "true"
    else __import__("playwright.sync_api").sync_api
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, request):
    """`funding serve` on a free port with its own data folder (the bundled snapshot loads first);
    a test's `server_env` mark adds settings."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDING_")}
    env.update(
        FUNDING_DATA_DIR=str(tmp_path / "data"),
        FUNDING_TODAY=AS_OF,
        STREAMLIT_SERVER_FILE_WATCHER_TYPE="none",
    )
    marker = request.node.get_closest_marker("server_env")
    if marker:
        env.update(marker.args[0]() if callable(marker.args[0]) else marker.args[0])
    funding = Path(sys.executable).with_name("funding")
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(funding), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    yield f"http://127.0.0.1:{port}", process, tmp_path / "serve.log"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_until_listening(url: str, process, log: Path, timeout: float = 60) -> None:
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"funding serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # polling the health endpoint, not waiting for the page
    pytest.fail(f"funding serve did not answer within {timeout} s: {log.read_text()}")


def test_load_a_profile_and_see_ranked_results_with_reasons(server, tmp_path):
    url, process, log = server
    wait_until_listening(url, process, log)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(url)
        page.get_by_role("heading", name="Trouver des financements").wait_for()
        page.locator("input[type=file]").set_input_files(PROFILES / "biodiversity_local.json")
        page.get_by_text("Profil chargé : Nature en Bocage").wait_for()
        caption = page.get_by_text("classé(s)")
        caption.wait_for()
        shown = int(caption.inner_text().split()[0])
        assert shown > 0
        results = page.locator("[class*='st-key-result_']")
        results.first.wait_for()
        first = results.first
        assert "Échéance" in first.inner_text()
        assert ("à vérifier" in first.inner_text()) or ("éligible" in first.inner_text())
        first.locator("[data-testid=stExpander] summary").first.click()
        reasons = first.locator("table").first
        reasons.wait_for(state="visible")
        assert "Calendrier" in reasons.inner_text()  # cells wrap: the whole text is in the page
        assert reasons.bounding_box()["width"] <= first.bounding_box()["width"]
        shot = tmp_path / "find-funding.png"
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def _navigation_is_the_apps(page) -> None:
    """The entry script's menu (page titles, the language selector), not raw file names."""
    nav = page.locator("[data-testid=stSidebarNav]")
    nav.get_by_text("Trouver des financements").wait_for()
    assert "watchlist" not in nav.inner_text() and "Désabonnement" not in nav.inner_text()
    page.locator("[data-testid=stSidebar]").get_by_text("Langue").wait_for()


SMTP = SMTPServer()


def _lead_builds_a_profile_hides_follows_and_exports(lead) -> tuple[str, bytes, str]:
    """One partner row filled by clicking, results, one hidden, one followed (with a deadline),
    the watchlist, its iCalendar and CSV downloads: (followed title, .ics bytes, CSV text)."""
    lead.get_by_label("Nom du partenariat").fill("Haies et mares")
    lead.locator("[data-testid=stForm] textarea").first.fill(
        "Restaurer les haies bocagères et les mares avec les communes, biodiversité"
    )
    assert lead.locator("[data-testid=stSelectbox]").filter(has_text="Type").count() == 1
    lead.locator("[data-testid=stSelectbox]").filter(has_text="Type").click()
    lead.get_by_role("option", name="Association", exact=True).click()
    lead.get_by_label("Pays (FR, CH…)").fill("FR")
    lead.get_by_label("Mots-clés (séparés par des virgules)").fill("haies, mares, biodiversité")
    lead.get_by_role("button", name="Chercher les appels").click()
    results = lead.locator("[class*='st-key-result_']")
    results.first.wait_for()
    results.first.get_by_role("button", name="Pas pour nous").click()
    lead.get_by_text("Appels écartés (1)").wait_for()
    card = results.filter(has_text=re.compile(r"J-\d+")).first
    title = card.locator("strong").first.inner_text()
    card.get_by_role("button", name="Suivre").click()
    lead.get_by_text("Suivi ✓").first.wait_for()
    lead.locator("[data-testid=stSidebarNav]").get_by_text("Appels suivis").click()
    lead.get_by_role("heading", name="Appels suivis").wait_for()
    lead.get_by_text(title).first.wait_for()
    files = []
    for name in ("Exporter les échéances (iCalendar)", "Exporter la liste (CSV)"):
        with lead.expect_download() as download:
            lead.get_by_role("button", name=name).click()
        files.append(Path(download.value.path()).read_bytes())
    return title, files[0], files[1].decode("utf-8")


def _mail_and_staff() -> dict[str, str]:
    from funding.access.auth import hash_password

    return {
        "FUNDING_SECRET_KEY": "browser-secret",
        "FUNDING_SMTP_HOST": "127.0.0.1",
        "FUNDING_SMTP_PORT": str(SMTP.port),
        "FUNDING_STAFF_USERS": f"alice={hash_password('s3cret-staff')}",
    }


@pytest.mark.server_env.with_args(_mail_and_staff)
def test_journeys_from_deep_links_on_a_fresh_server(server, monkeypatch):
    """Staff first on /monitor, a lead first on /signin, of a just-started server: the menu is
    the app's; the lead signs in by the e-mailed link, builds a profile by clicking, hides and
    follows calls, downloads the watchlist's iCalendar and CSV; sign-in survives a reload; a
    second lead cannot open the first one's partnership; staff review one queue item."""
    from funding.access.accounts import make_token
    from funding.settings import get_settings

    url, process, log = server
    smtp = SMTP.start()
    try:
        wait_until_listening(url, process, log)
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            staff = browser.new_page(viewport={"width": 1400, "height": 1000})
            lead = browser.new_context().new_page()
            for each in (staff, lead):
                each.set_default_timeout(30_000)
            # Both arrive on deep links before anyone opened "/".
            staff.goto(f"{url}/monitor")
            lead.goto(f"{url}/signin")
            _navigation_is_the_apps(staff)
            _navigation_is_the_apps(lead)
            staff.get_by_label("Identifiant").fill("alice")
            staff.get_by_label("Mot de passe").fill("s3cret-staff")
            staff.get_by_role("button", name="Connexion").click()
            staff.get_by_text("Connecté : alice").wait_for()
            staff.reload()
            staff.get_by_text("Connecté : alice").wait_for()  # the signed cookie, not the websocket
            assert staff.get_by_label("Mot de passe").count() == 0

            lead.get_by_label("Adresse e-mail").fill("lea@example.org")
            lead.get_by_role("button", name="Recevoir un lien de connexion").click()
            lead.get_by_text("Un lien de connexion a été envoyé").wait_for()
            (mail,) = smtp.inbox.to("lea@example.org")
            body = mail.get_body(("plain",)).get_content()
            link = next(line for line in body.splitlines() if "/signin?token=" in line)
            assert link.startswith(f"{url}/signin?token=")  # FUNDING_PUBLIC_URL from serve
            lead.goto(link)
            lead.get_by_role("button", name="Me connecter").click()
            lead.get_by_role("heading", name="Trouver des financements").wait_for()
            title, ics, csv_text = _lead_builds_a_profile_hides_follows_and_exports(lead)
            events = Calendar.from_ical(ics).walk("VEVENT")
            assert ics.startswith(b"BEGIN:VCALENDAR")
            assert f"Échéance : {title}" in {str(e["summary"]) for e in events}
            assert csv_text.startswith("\ufeff")  # UTF-8 with BOM, ;-separated, French headers
            rows = list(csv.reader(io.StringIO(csv_text.removeprefix("\ufeff")), delimiter=";"))
            assert "Titre" in rows[0] and len(rows[0]) > 3
            assert any(title in row for row in rows[1:])
            lead.reload()
            lead.get_by_text("Connecté : lea@example.org").wait_for()

            staff.get_by_role("tab", name="À revoir").click()
            shown = staff.get_by_text(re.compile(r"affichée\(s\) sur \d+"))
            before = int(shown.inner_text().split(" sur ")[1])
            assert before > 0
            staff.get_by_role("button", name="Accepter", exact=True).first.click()
            staff.get_by_text(re.compile(rf"affichée\(s\) sur {before - 1}$")).wait_for()

            monkeypatch.setenv("FUNDING_SECRET_KEY", "browser-secret")
            get_settings.cache_clear()
            other = browser.new_context().new_page()
            other.set_default_timeout(30_000)
            other.goto(f"{url}/signin?token={make_token('signin', 'marc@example.org')}")
            other.get_by_role("button", name="Me connecter").click()
            other.get_by_text("Connecté : marc@example.org").wait_for()
            other.goto(f"{url}/find?partnership=1")
            other.get_by_text("Décrivez votre partenariat").wait_for()
            assert "Haies et mares" not in other.locator("[data-testid=stMain]").inner_text()
            browser.close()
    finally:
        get_settings.cache_clear()
        smtp.stop()
