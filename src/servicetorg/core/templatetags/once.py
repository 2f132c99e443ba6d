"""``{% once_token %}``: the hidden one-time token of a form (see core.once)."""

from django import template
from django.utils.html import format_html

from servicetorg.core.once import FIELD, new_token, posted_token

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context) -> str:
    request = context.get("request")
    # A form shown again after an error keeps its token: its first POST did nothing.
    token = (posted_token(request) if request is not None else "") or new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
