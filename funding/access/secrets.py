"""The secrets file (FUNDING_SECRETS_FILE, TOML): staff password hashes written in place."""

import os
import re
import tomllib
from pathlib import Path


def set_staff_hash(path: Path, name: str, hashed: str) -> None:
    """Add or replace `name = "hash"` in the file's [staff] table, keeping everything else; the
    file is readable by its owner only."""
    text = path.read_text("utf-8") if path.exists() else ""
    tomllib.loads(text)  # refuse to edit a file that is not TOML
    line = f'"{name}" = "{hashed}"'
    lines = text.splitlines()
    start = next((i for i, s in enumerate(lines) if s.strip() == "[staff]"), None)
    if start is None:
        lines += ([""] if lines else []) + ["[staff]", line]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
            len(lines),
        )
        key = re.compile(rf'^\s*(?:"{re.escape(name)}"|{re.escape(name)})\s*=')
        found = next((i for i in range(start + 1, end) if key.match(lines[i])), None)
        if found is None:
            lines.insert(end, line)
        else:
            lines[found] = line
    result = "\n".join(lines) + "\n"
    if tomllib.loads(result).get("staff", {}).get(name) != hashed:
        raise ValueError(f"could not write {name!r} to {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(result)
    path.chmod(0o600)
