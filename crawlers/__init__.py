"""The harvest: one Scrapy spider per funder source, storing through funding/ (spiders/base.py)."""
