"""The tree is as the formatter leaves it, with no marker switching it off, and the linter passes.

Ruff (pinned in the test extras, so every machine formats alike) is configured in pyproject.toml
(line length 100). `ruff format .` fixes what the first test reports.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ["funding", "crawlers", "ui", "tests", "benchmarks", "tools"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_tree_is_formatted():
    done = ruff("format", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_linter_passes():
    done = ruff("check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_formatter_markers():
    marked = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if "fmt: " + "skip" in line or "fmt: " + "off" in line
    ]
    assert not marked, marked
