"""Paths of application_urls (included by urls.py)."""

urlpatterns: list = []
