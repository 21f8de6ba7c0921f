"""End to end: `funding serve` on 127.0.0.1, driven with Playwright on Debian's Chromium.

Streamlit draws over a websocket, so every step waits for an element, never for a time.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.conftest import AS_OF, PROFILES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]  # fmt: skip

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium); not in CI",
                allow_module_level=True)  # fmt: skip
playwright = pytest.importorskip("playwright.sync_api") if os.environ.get("CI") != "true" \
    else __import__("playwright.sync_api").sync_api  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`funding serve` on a free port with its own data folder (the bundled snapshot loads first)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDING_")}
    env.update(FUNDING_DATA_DIR=str(tmp_path / "data"), FUNDING_TODAY=AS_OF,
               STREAMLIT_SERVER_FILE_WATCHER_TYPE="none")  # fmt: skip
    funding = Path(sys.executable).with_name("funding")
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(funding), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
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
        first.get_by_text("Explication").click()
        first.locator("[data-testid=stDataFrame]").wait_for(state="visible")
        first.locator("[data-testid=stDataFrame] canvas").first.wait_for(state="visible")
        shot = tmp_path / "find-funding.png"
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
