"""Funding Radar: the domain (store, normalisation, matching, digests), free of Scrapy and Streamlit."""

__version__ = "0.1.0"
