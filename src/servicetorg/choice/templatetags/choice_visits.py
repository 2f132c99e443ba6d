"""Template filters of the visit and settlement pages."""

from django import template

register = template.Library()


@register.filter
def hm(minutes) -> str:
    """Minutes as hours and minutes: 95 → "1:35"."""
    try:
        minutes = int(minutes or 0)
    except (TypeError, ValueError):
        return ""
    return f"{minutes // 60}:{minutes % 60:02d}"


@register.filter
def percent(share) -> str:
    """A share (0.87) as a whole percentage ("87 %"); "–" when there is none."""
    if share is None:
        return "–"
    return f"{round(100 * share)} %"
