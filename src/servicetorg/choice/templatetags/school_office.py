"""Filters of the school office's pages (``{% load school_office %}``).

{{ amount|nok }}     NOK 12 345 (whole kroner, the language's thousands separator; −NOK 12 345)
{{ share|share }}    12,34 % (a fraction as a percentage with two decimals)
"""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from servicetorg.core import formatting

register = template.Library()


@register.filter
def nok(value):
    if value in (None, ""):
        return ""
    value = Decimal(value)
    text = _("NOK %(amount)s") % {"amount": formatting.number(abs(value), 0)}
    text = text.replace(" ", formatting.NBSP)  # the amount never breaks from its currency
    return f"−{text}" if value < 0 else text


@register.filter
def share(value):
    if value in (None, ""):
        return ""
    return formatting.percent(Decimal(value) * 100, 2)
