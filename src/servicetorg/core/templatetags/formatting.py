"""Filters for what Django's localization does not cover by itself (``{% load formatting %}``).

{{ share|percent }}          45,2 %  (45.2% in English; the value's own decimals)
{{ share|percent:0 }}        45 %
{{ amount|number:1 }}        12 345,6
{{ day|weekday_date }}       torsdag 3. desember 2026
{{ day|weekday_day }}        torsdag 3. desember
"""

from django import template

from servicetorg.core import formatting

register = template.Library()


@register.filter
def percent(value, digits=None):
    if value in (None, ""):
        return ""
    return formatting.percent(value, None if digits is None else int(digits))


@register.filter
def number(value, digits=None):
    if value in (None, ""):
        return ""
    return formatting.number(value, None if digits is None else int(digits))


@register.filter
def weekday_date(value):
    return formatting.weekday_date(value)


@register.filter
def weekday_day(value):
    return formatting.weekday_date(value, year=False)
