"""Every setting is an environment variable named FUNDING_..., with a default that works offline."""

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
