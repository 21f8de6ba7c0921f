"""The floors of docs/architecture.md: each module of funding/ imports only from its own floor or
the floors below, no import circle, and never Scrapy, Streamlit, crawlers/ or ui/."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = [  # lowest first; a module belongs to the longest prefix that names it
    ["funding", "funding.settings", "funding.errors", "funding.i18n", "funding.normalize"],
    ["funding.contracts"],
    ["funding.store"],
    [
        "funding.territory",
        "funding.ingest",
        "funding.harvest",
        "funding.enrich",
        "funding.matching",
        "funding.awards",
        "funding.access",
    ],
    ["funding.views", "funding.digests"],
    ["funding.scheduler", "funding.cli"],
]
FORBIDDEN = ("scrapy", "streamlit", "crawlers", "ui", "twisted")


def floor(module: str) -> int:
    found = [
        (len(prefix), level)
        for level, prefixes in enumerate(FLOORS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(found)[1]


def imports() -> dict[str, set[str]]:
    """Every module of funding/ (migrations aside) and the modules it imports, at any depth."""
    found = {}
    for path in (ROOT / "funding").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)  # and `from package import module`:
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
        found[module] = targets
    return found


def test_no_arrow_runs_back_up():
    upward = [
        f"{module} (floor {floor(module)}) imports {target} (floor {floor(target)})"
        for module, targets in imports().items()
        for target in targets
        if target.split(".")[0] == "funding" and floor(target) > floor(module)
    ]
    assert upward == []


def test_the_domain_imports_neither_scrapy_nor_streamlit():
    assert [(m, t) for m, ts in imports().items() for t in ts if t.split(".")[0] in FORBIDDEN] == []


def test_no_import_circle():
    # A module importing from its own package (`from funding.digests import ledger`) is no circle.
    graph = {
        m: {t for t in ts if t in imports_cache and t != m and not m.startswith(t + ".")}
        for m, ts in imports_cache.items()
    }
    seen, stack, circles = set(), [], []

    def visit(module):
        if module in stack:
            circles.append(stack[stack.index(module) :] + [module])
            return
        if module in seen:
            return
        seen.add(module)
        stack.append(module)
        for target in sorted(graph[module]):
            visit(target)
        stack.pop()

    for module in sorted(graph):
        visit(module)
    assert circles == []


imports_cache = imports()
