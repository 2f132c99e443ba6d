"""Paths of round_urls (included by urls.py)."""

urlpatterns: list = []
