"""One spider per source: crawlers/spiders/<name>.py defines a FundingSpider whose name is <name>.

Shared code for a family of sources (one platform, several funders) goes in a module whose name
starts with an underscore, so that `funding crawl --all` does not take it for a spider.
"""
