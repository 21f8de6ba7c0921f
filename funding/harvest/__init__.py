"""Running crawls, the declared sources (sources.toml), their health, distributed crawls."""
