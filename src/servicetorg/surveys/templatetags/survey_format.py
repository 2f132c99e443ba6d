"""How survey pages write a p-value: three decimals, and "< 0,001" below that (never "p=0,000")."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def p_value(value) -> str:
    """``0,012`` or ``< 0,001`` (the decimal sign of the active language); "–" for none."""
    if value is None or value == "":
        return "–"
    if float(value) < 0.001:
        return f"< {floatformat(0.001, 3)}"
    return str(floatformat(value, 3))


@register.filter
def p_equals(value) -> str:
    """``p = 0,012`` or ``p < 0,001``."""
    text = p_value(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"
