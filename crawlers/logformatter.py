"""Log lines that stay readable: a dropped item is named by its reason, not dumped whole."""

from typing import Any

from scrapy.logformatter import LogFormatter


class FundingLogFormatter(LogFormatter):
    """Scrapy's formatter, but a dropped item logs only the pipeline's reason (id, URL, fields)."""

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> dict:
        result = super().dropped(item, exception, response, spider)
        return {**result, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
