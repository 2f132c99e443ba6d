"""The follow-up report as a printable HTML document and as PDF (WeasyPrint)."""

import logging

from django.conf import settings
from django.template.loader import render_to_string

from .models import FollowUpReport
from .selectors import report_figures
from .status import RULE_TEXT

# WeasyPrint and fontTools log every layout step at INFO; keep the server log readable.
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def adopted_body(report: FollowUpReport, language: str) -> tuple[str, str]:
    """The adopted report's body in ``language`` and the language it is in: a report adopted before the
    bodies were kept per language has only the default's (bokmål), which the page then marks."""
    if language != settings.LANGUAGE_CODE and language in (report.adopted_bodies or {}):
        return report.adopted_bodies[language], language
    return report.adopted_body, settings.LANGUAGE_CODE


def report_context(report: FollowUpReport, *, with_charts: bool = True) -> dict:
    figures = report_figures(report, with_charts=with_charts)
    return {"report": report, "figures": figures, "strategy": figures.strategy, "rule_text": RULE_TEXT}


def render_report_document(report: FollowUpReport, *, context: dict | None = None) -> str:
    """A standalone HTML document (print stylesheet, charts inline) — the source of the PDF."""
    return render_to_string("strategy/report_document.html", context or report_context(report))


def render_report_pdf(report: FollowUpReport, *, context: dict | None = None) -> bytes:
    from weasyprint import HTML

    # Tagged (PDF/UA-1): a screen reader reads its headings and tables in order.
    return HTML(string=render_report_document(report, context=context)).write_pdf(pdf_variant="pdf/ua-1")
