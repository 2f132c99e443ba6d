"""SVG charts as images: an inline ``<svg>`` from matplotlib carries ``<style>`` elements and style
attributes, which the Content-Security-Policy forbids in a page; as an image its styles are its own."""

import base64

from django import template

register = template.Library()


@register.filter
def svg_data_uri(svg: str) -> str:
    if not svg:
        return ""
    if "xmlns=" not in svg[:300]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
