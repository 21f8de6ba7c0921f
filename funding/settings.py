"""Every setting is an environment variable named FUNDING_..., with a default that works offline.

Each one is declared here once, with its help text: `funding settings` prints them with their current
values, and docs/configuration.md is that table (`funding settings --markdown`; a test keeps the two
the same).
"""

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_KEY = b"funding-radar-development-key"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "funding-radar"


def setting(default: Any = None, help: str = "", *, shown: str | None = None, **kw: Any) -> Any:
    """A setting's default and help text; `shown` is how the default reads in the docs."""
    extra = {"shown": shown} if shown is not None else {}
    return Field(default, description=help, json_schema_extra=extra, **kw)


class Settings(BaseSettings):
    """Read from the environment (and an optional .env file in the working directory)."""

    model_config = SettingsConfigDict(env_prefix="FUNDING_", env_file=".env", extra="ignore")

    # -- Installation
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="where the default SQLite database and the HTTP cache live",
        json_schema_extra={"shown": "~/.local/share/funding-radar"},
    )
    database_url: str | None = setting(
        None,
        "any SQLAlchemy URL; `postgresql://user@host:5432/db` uses psycopg 3",
        shown="sqlite:///$FUNDING_DATA_DIR/funding.db",
    )
    production: bool = setting(
        False,
        "`true` on a server: `serve`, `schedule`, `digest --send` and `one-click` refuse to start "
        "without `FUNDING_SECRET_KEY`",
    )
    sqlite_busy_timeout_ms: int = setting(30_000, "how long a SQLite writer waits for another")
    load_snapshot: bool = setting(
        True, "load the bundled snapshot into an empty database on `serve`"
    )
    host: str = setting("127.0.0.1", "where `funding serve` listens")
    port: int = setting(8501, "the port of `funding serve`")
    language: str = setting("fr", "interface language (`fr` or `en`; `?lang=en` in the URL too)")
    vocabulary_dir: Path | None = setting(
        None, "a folder of extra vocabulary CSVs that add to or override the bundled ones"
    )
    embeddings: bool = setting(
        True,
        "semantic similarity in matching (multilingual-e5-small, computed at enrichment); "
        "`false`: BM25F and rules only",
    )
    today: date | None = setting(
        None, "pretend it is this day in the interface (demos and tests; never on a server)"
    )

    # -- Harvest (crawlers/settings.py reads these; every crawl stays polite by default)
    sources_file: Path | None = setting(
        None, "the source declarations", shown="crawlers/sources.toml"
    )
    crawl_contact: str | None = setting(
        None,
        "a URL or `mailto:` put in the User-Agent so funders can reach you: set it in production",
    )
    crawl_delay: float = setting(1.0, "seconds between requests to one site")
    crawl_autothrottle: bool = setting(True, "Scrapy AutoThrottle")
    crawl_concurrency_per_domain: int = setting(2, "parallel requests to one site")
    crawl_timeout: int = setting(
        120, "seconds before a request times out (heavy EU searches take up to 90 s)"
    )
    crawl_retry_times: int = setting(2, "retries on 429, 5xx and timeouts")
    crawl_max_retry_after: float = setting(
        300.0, "longest `Retry-After` honoured, in seconds (a longer one is cut to this)"
    )
    crawl_close_on_errors: int = setting(10, "a crawl stops after this many errors")
    crawl_log_level: str = setting("INFO", "Scrapy log level")
    crawl_base_urls: dict[str, str] = Field(
        default_factory=dict,
        description="JSON object: source name → base URL (mirrors, test servers)",
        json_schema_extra={"shown": "{}"},
    )
    httpcache_enabled: bool = setting(
        True, "keep responses to revalidate them (conditional requests: ETag, Last-Modified)"
    )
    httpcache_dir: Path | None = setting(
        None, "where they are kept", shown="$FUNDING_DATA_DIR/httpcache"
    )
    aides_territoires_token: str | None = setting(
        None, "personal Aides-territoires API token; without it that source is skipped"
    )
    redis_url: str = setting(
        "redis://127.0.0.1:6379/0",
        "the Redis of distributed crawls (`funding crawl --distributed`)",
    )
    crawl_daily_hour: int = setting(5, "hour of daily, weekly and monthly crawls (with jitter)")

    # -- E-mail, digests and the scheduler (funding/digests/)
    smtp_host: str = setting("127.0.0.1", "the SMTP server")
    smtp_port: int = setting(25, "its port")
    smtp_starttls: bool = setting(False, "upgrade a plain connection with STARTTLS (port 587)")
    smtp_ssl: bool = setting(False, "TLS from the first byte (port 465)")
    smtp_user: str | None = setting(None, "SMTP login")
    smtp_password: str | None = setting(None, "SMTP password")
    smtp_sender: str = setting("Funding Radar <radar@localhost>", "the From address")
    smtp_timeout: float = setting(30.0, "seconds per SMTP command")
    smtp_retries: int = setting(
        3, "attempts per message on temporary failures (4xx, connection refused)"
    )
    smtp_backoff: float = setting(2.0, "seconds before the 2nd attempt, doubled each time")
    public_url: str = setting(
        "http://127.0.0.1:8501",
        "where links in e-mails point (under `funding serve`, by default its own host and "
        "port): set the public https address",
        shown="http://127.0.0.1:8501",
    )
    secret_key: str | None = setting(
        None,
        "signs confirmation, unsubscribe and sign-in links and the session cookies; without it a "
        "development key is used, with a warning (refused when `FUNDING_PRODUCTION=true`)",
    )
    unsubscribe_mailto: str | None = setting(
        None, "the `mailto:` of `List-Unsubscribe`; unset: the sender's address"
    )
    digest_max_items: int = setting(10, "calls shown in a digest; a link leads to the rest")
    digest_send_empty: bool = setting(False, "send a digest with no call")
    digest_workers: int = setting(
        0, "processes ranking profiles for many digests (0: one per core)"
    )
    digest_claim_stale_after: int = setting(
        900, "seconds after which a claimed, unsent e-mail is taken again"
    )
    staff_emails: str | None = setting(
        None, "comma-separated: who hears of flagged sources and paused addresses"
    )
    timezone: str = setting("Europe/Paris", "of the schedule and of digest periods")
    digest_weekly_cron: str = setting(
        "0 7 * * mon", "the weekly digest (cron, in `FUNDING_TIMEZONE`)"
    )
    digest_daily_cron: str = setting("0 7 * * *", "daily digests and deadline reminders")

    # -- Access to the interface (funding.access.auth, funding.access.accounts)
    staff_users: str | None = setting(
        None,
        "staff accounts, in single quotes: `'alice=scrypt$...;bob=scrypt$...'` "
        "(hashes from `funding staff add` or `python -m funding.access.auth`)",
    )
    secrets_file: Path | None = setting(
        None, 'a TOML file outside the repository: `[staff]` `alice = "scrypt$..."`'
    )
    require_sign_in: bool = setting(
        False, "`true`: every page needs signing in, not only the staff pages"
    )
    sign_in_max_failures: int = setting(
        5, "failed sign-ins per user name and client within the window before that client waits"
    )
    sign_in_window_seconds: int = setting(
        900, "the window of those failures, and of sign-in e-mails (3 per address, 9 per client)"
    )
    sign_in_pause_seconds: int = setting(
        60, "the pause once one name failed from many clients, or many names failed"
    )

    @property
    def staff_addresses(self) -> list[str]:
        return [a.strip() for a in (self.staff_emails or "").split(",") if a.strip()]

    @property
    def signing_key(self) -> bytes:
        """FUNDING_SECRET_KEY, or a development key (with a warning: links could be forged)."""
        self.require_secret_key()
        if self.secret_key:
            return self.secret_key.encode()
        import warnings

        warnings.warn(
            "FUNDING_SECRET_KEY is not set: unsubscribe links are signed with a development key",
            stacklevel=2,
        )
        return DEVELOPMENT_KEY

    def require_secret_key(self) -> None:
        """In production, a missing or development secret key stops the program with the reason."""
        if self.production and (not self.secret_key or self.secret_key.encode() == DEVELOPMENT_KEY):
            raise SettingsError(
                "FUNDING_PRODUCTION is true but FUNDING_SECRET_KEY is not set (or is the "
                "development key): set it to a long random value, e.g. "
                'python3 -c "import secrets; print(secrets.token_hex(32))"'
            )

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'funding.db'}"


class SettingsError(RuntimeError):
    """A setting that makes the program unsafe or unable to run."""


SECTIONS = {
    "data_dir": "Installation",
    "sources_file": "Harvest",
    "smtp_host": "E-mail, digests and the scheduler",
    "staff_users": "Access to the interface",
}


def documented() -> list[tuple[str, str, str, str]]:
    """(section, variable, default as shown, help) for every setting, in declaration order."""
    rows, section = [], ""
    for name, field in Settings.model_fields.items():
        section = SECTIONS.get(name, section)
        extra = field.json_schema_extra or {}
        if "shown" in extra:
            shown = str(extra["shown"])
        elif field.default is None:
            shown = "unset"
        elif isinstance(field.default, bool):
            shown = "true" if field.default else "false"
        else:
            shown = str(field.default)
        rows.append((section, f"FUNDING_{name.upper()}", shown, field.description or ""))
    return rows


def markdown() -> str:
    """docs/configuration.md's tables, one per section."""
    lines: list[str] = []
    section = None
    for where, variable, shown, help_text in documented():
        if where != section:
            section = where
            lines += ["", f"## {where}", "", "| variable | default | meaning |", "|---|---|---|"]
        default = "unset" if shown == "unset" else f"`{shown}`"
        lines.append(f"| `{variable}` | {default} | {help_text} |")
    return "\n".join(lines).lstrip() + "\n"


# Load once: the environment is read at the first call of a process (not a performance cache).
@cache
def get_settings() -> Settings:
    """One Settings per process; tests call get_settings.cache_clear() after changing the environment."""
    return Settings()
