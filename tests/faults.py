"""The fault suite's table: each fault test adds its row, and pytest prints the table at the end.

Harvest faults (per spider with recorded responses and database), bad input lines (per
database), concurrent writers (per scenario and database); `pytest -q` shows it after the
results, and the README quotes its numbers.
"""

from collections import defaultdict
from dataclasses import dataclass, field


def backend(database_url: str) -> str:
    return "SQLite" if database_url.startswith("sqlite") else "PostgreSQL"


@dataclass
class FaultTable:
    harvests: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    inputs: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    writers: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    faults_seen: dict = field(default_factory=lambda: defaultdict(set))

    def harvest(
        self,
        database_url: str,
        spider: str,
        fault: str,
        verdict_right: bool,
        reason_right: bool,
        lost: int,
        seen_moved: int,
    ) -> None:
        """One fault crawled after a good crawl: was the run failed, for the right reason?"""
        row = self.harvests[(spider, backend(database_url))]
        for i, value in enumerate((1, verdict_right, reason_right, lost, seen_moved)):
            row[i] += int(value)
        self.faults_seen[spider].add(fault)

    def bad_input(
        self,
        database_url: str,
        file: str,
        bad_lines: int,
        named: int,
        good_lines: int,
        good_kept: int,
    ) -> None:
        """One file with bad lines: how many were reported by line and field, good ones kept."""
        row = self.inputs[backend(database_url)]
        for i, value in enumerate((1, bad_lines, named, good_lines, good_kept)):
            row[i] += value

    def concurrent(
        self, database_url: str, scenario: str, writers: int, runs: int, died: int
    ) -> None:
        """One scenario of concurrent writer processes: how many died (with an error)."""
        row = self.writers[(scenario, backend(database_url))]
        for i, value in enumerate((writers, runs, died)):
            row[i] += value

    def dump(self) -> dict:
        """The counts as JSON-able lists: a test worker (pytest-xdist) hands them to the main
        process, which prints the one table of every worker."""
        return {
            name: [
                [list(k) if isinstance(k, tuple) else k, v] for k, v in getattr(self, name).items()
            ]
            for name in ("harvests", "inputs", "writers")
        }

    def merge(self, dumped: dict) -> None:
        for name, rows in dumped.items():
            table = getattr(self, name)
            for key, counts in rows:
                row = table[tuple(key) if isinstance(key, list) else key]
                for i, value in enumerate(counts):
                    row[i] += value

    def lines(self) -> list[str]:
        out: list[str] = []
        harvest = [
            "spider",
            "database",
            "faults tried",
            "verdict right",
            "reason right",
            "records lost",
            "last-seen moved",
        ]
        inputs = [
            "database",
            "files",
            "bad lines tried",
            "reported by line and field",
            "good lines",
            "good lines kept",
        ]
        writers = ["scenario", "database", "writer processes", "runs", "processes that died"]
        for title, columns, rows in (
            ("harvest faults after a good crawl (HTTP cache on)", harvest, self.harvests),
            ("bad input lines (funding import)", inputs, self.inputs),
            ("concurrent writers", writers, self.writers),
        ):
            if rows:
                out += _table(title, columns, rows)
        return out


def _table(title: str, columns: list[str], rows: dict) -> list[str]:
    """A Markdown table (as the README shows it): text columns left, counts right."""
    texts = len(columns) - len(next(iter(rows.values())))
    lines = [
        "",
        title,
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * texts + "---:|" * (len(columns) - texts),
    ]
    for key, counts in sorted(rows.items()):
        cells = [*(key if isinstance(key, tuple) else (key,)), *map(str, counts)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


FAULTS = FaultTable()
