from django import template

from ..selectors import tidy as _tidy

register = template.Library()


@register.filter
def tidy(value):
    """A decimal without trailing zeros (localised by the template engine)."""
    return _tidy(value)


@register.filter
def content_lang(value):
    """What the municipality wrote (a title, a name) inside a translated sentence, marked with the
    language it is written in, so a screen reader on a nynorsk or English page reads it in bokmål."""
    from django.conf import settings
    from django.utils.html import format_html

    return format_html('<span lang="{}">{}</span>', settings.CONTENT_LANGUAGE, value)
