"""The web app and its people: serve, settings, staff accounts."""

import os
import sys
from pathlib import Path

import click

from funding.cli import main, refuse_unsafe
from funding.settings import get_settings
from funding.store.db import get_engine


@main.command()
@click.option("--host", default=None, help="Default: FUNDING_HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Default: FUNDING_PORT (8501).")
@click.option(
    "--no-snapshot", is_flag=True, help="Do not load the bundled snapshot into an empty database."
)
def serve(host: str | None, port: int | None, no_snapshot: bool) -> None:
    """Prepare the database (schema, bundled snapshot on first run) and start the web app."""
    from funding.ingest.snapshot import prepare_database

    refuse_unsafe()
    settings = get_settings()
    report = prepare_database(get_engine(), load=settings.load_snapshot and not no_snapshot)
    if report is not None:
        click.echo(f"loaded the bundled snapshot: {report.summary()}")
    app = Path(__file__).resolve().parents[2] / "ui" / "app.py"
    # ui.server imports what the pages need, then runs `streamlit run` in the same process.
    args = [
        sys.executable,
        "-m",
        "ui.server",
        str(app),
        "--server.address",
        host or settings.host,
        "--server.port",
        str(port or settings.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    from funding.access.auth import malformed

    for name in malformed(settings):
        click.echo(
            f"warning: staff {name!r} has a malformed password hash (FUNDING_STAFF_USERS in "
            "double quotes? the shell replaces $…: use single quotes, or `funding staff "
            "add`); that name cannot sign in",
            err=True,
        )
    served = f"http://{host or settings.host}:{port or settings.port}"
    # Links in e-mails sent by this process point to it unless FUNDING_PUBLIC_URL says otherwise.
    os.environ.setdefault("FUNDING_PUBLIC_URL", served)
    click.echo(f"serving on {served}")
    sys.stdout.flush()
    os.execv(sys.executable, args)


@main.command("settings")
@click.option("--markdown", is_flag=True, help="Print docs/configuration.md's tables instead.")
def settings_command(markdown: bool) -> None:
    """Every FUNDING_... setting: its value here (secrets hidden), its default and what it does."""
    from funding.settings import documented
    from funding.settings import markdown as tables

    if markdown:
        click.echo(tables(), nl=False)
        return
    current = get_settings()
    secret = (
        "FUNDING_SECRET_KEY",
        "FUNDING_SMTP_PASSWORD",
        "FUNDING_STAFF_USERS",
        "FUNDING_AIDES_TERRITOIRES_TOKEN",
    )
    for _, variable, shown, help_text in documented():
        value = getattr(current, variable.removeprefix("FUNDING_").lower())
        if value is None:
            value = f"unset (default: {shown})" if shown != "unset" else "unset"
        elif variable in secret:
            value = "set (hidden)"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        click.echo(f"{variable}={value}\n    {help_text}")


@main.group()
def staff() -> None:
    """Staff accounts (password hashes in the secrets file)."""


@staff.command("add")
@click.argument("name")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The secrets file (default: FUNDING_SECRETS_FILE).",
)
def staff_add(name: str, path: Path | None) -> None:
    """Ask for NAME's password twice and write its hash to the secrets file ([staff])."""
    from funding.access.auth import hash_password, read_new_password
    from funding.access.secrets import set_staff_hash

    path = path or get_settings().secrets_file
    if path is None:
        raise click.ClickException("set FUNDING_SECRETS_FILE (or give --file) to say where")
    if not name.strip() or any(c in name for c in '=;"\n[]'):
        raise click.ClickException(f"{name!r} cannot be a staff name")
    set_staff_hash(Path(path).expanduser(), name.strip(), hash_password(read_new_password()))
    click.echo(f"{name.strip()}: hash written to {path}")
