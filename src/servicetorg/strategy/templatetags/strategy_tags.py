from django import template

from ..selectors import tidy as _tidy

register = template.Library()


@register.filter
def tidy(value):
    """A decimal without trailing zeros (localised by the template engine)."""
    return _tidy(value)
