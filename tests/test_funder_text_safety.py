"""Funder text stays text: no formula in the watchlist CSV, no link made from a bare address."""

import csv
import io
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from funding.views import presentation
from funding.views.calendar import to_csv

ROOT = Path(__file__).resolve().parents[1]
FORMULAS = [
    '=HYPERLINK("http://evil.example","clic")',
    "+33 4 50 00 00 00",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcalc",
    "\rcalc",
]


def _row(title: str, **more) -> dict:
    return {
        "id": "x:1",
        "title": title,
        "funder": "Fondation",
        "stage": "interested",
        "next_deadline": date(2026, 4, 1),
        "deadlines": [date(2026, 4, 1)],
        "amount_max": 50000.0,
        "currency": "EUR",
        "status": "open",
        "url": "https://example.org/1",
        "notes": "",
        **more,
    }


@pytest.mark.parametrize("text", FORMULAS)
def test_watchlist_csv_cells_never_start_a_formula(text):
    rows = [_row(text, funder=text, notes=text)]
    read = list(csv.DictReader(io.StringIO(to_csv(rows).decode("utf-8-sig"), newline="")))
    for column in ("title", "funder", "notes"):
        assert read[0][column] == "'" + text  # shown as typed, with the quote a sheet hides
    assert read[0]["amount_max"] == "50000.0" and read[0]["next_deadline"] == "2026-04-01"


def test_ordinary_text_is_left_as_it_is():
    read = list(csv.DictReader(io.StringIO(to_csv([_row("Appel à projets")]).decode("utf-8-sig"))))
    assert read[0]["title"] == "Appel à projets"


@pytest.mark.parametrize(
    "text",
    [
        "Voir https://evil.example/x",
        "www.evil.example",
        "contact@evil.example",
        "HTTP://EVIL.EXAMPLE",
    ],
)
def test_markdown_text_leaves_no_address_whole(text):
    shown = presentation.markdown_text(text)
    unescaped = shown.replace("\\", "").lower()
    assert not any(start in unescaped for start in ("http://", "https://", "www.", "@e"))
    assert shown.replace("\u2060", "").replace("\\", "") == text  # the same words, as typed


PAGE = """
import sys
sys.path.insert(0, {root!r})
import streamlit as st
from ui.common import esc
text = "Voir https://evil.example/x, www.evil.example, contact@evil.example, [clic](https://x.example)"
st.header(esc(text), anchor=False)
st.markdown("**" + esc(text) + "**")
"""


def test_a_browser_shows_funder_addresses_as_text(tmp_path):
    """GitHub-flavoured Markdown links bare addresses even when every character is escaped."""
    from tests.ui.test_browser import ARGS, CHROMIUM, playwright

    app = tmp_path / "page.py"
    app.write_text(PAGE.format(root=str(ROOT)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            deadline = time.monotonic() + 60
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}")
                    break
                except playwright.Error:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            page.get_by_text("contact@").first.wait_for(timeout=30_000)
            main = page.locator("[data-testid=stMain]")
            assert main.locator("a").count() == 0
            assert "https://evil.example/x" in main.inner_text().replace("\u2060", "")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
