"""A provider's monthly statement as CSV, XLSX (formula-safe cells, core.exports) and PDF
(WeasyPrint, tagged PDF/UA-1). The users are named by their decision's number and case reference,
never by name: the statement goes to accounting, which does not read care decisions."""

from __future__ import annotations

import csv
import io
import logging

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from servicetorg.core.exports import safe_cell

from .models import Band, Settlement
from .visit_forms import decision_label

for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def rows(settlement: Settlement) -> list[list]:
    labels = dict(Band.choices)
    out: list[list] = [
        [
            _("Provider"),
            settlement.provider.name,
            _("Organisation number"),
            settlement.provider.organization_number,
        ],
        [_("Scheme"), str(settlement.scheme), _("Month"), f"{settlement.month:%Y-%m}"],
        [_("State"), str(settlement.get_state_display()), _("Total (NOK)"), settlement.total],
        [],
        [
            _("User (decision)"),
            _("Band"),
            _("Decided (hours)"),
            _("Performed (hours)"),
            _("Paid (hours)"),
            _("Days"),
            _("Rate (NOK)"),
            _("Amount (NOK)"),
            _("Capped by the decision"),
        ],
    ]
    for line in settlement.lines.select_related("decision").order_by("decision_id", "band"):
        out.append(
            [
                decision_label(line.decision),
                str(labels.get(line.band, line.band)),
                _hours(line.decided_minutes),
                _hours(line.performed_minutes),
                _hours(line.paid_minutes),
                line.days,
                line.rate,
                line.amount,
                _("yes") if line.capped else _("no"),
            ]
        )
    return out


def _safe(value):
    if value is None or isinstance(value, int | float):
        return value
    if not isinstance(value, str):
        value = str(value)
    return safe_cell(value)


def as_csv(settlement: Settlement) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 with the byte-order mark
    writer = csv.writer(buffer, delimiter=";")
    for row in rows(settlement):
        writer.writerow([_safe(c) for c in row])
    return buffer.getvalue()


def as_xlsx(settlement: Settlement) -> bytes:
    from decimal import Decimal

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Statement")[:31]
    for row in rows(settlement):
        sheet.append([float(c) if isinstance(c, Decimal) else _safe(c) for c in row])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 32
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_pdf(settlement: Settlement) -> bytes:
    from weasyprint import HTML

    lines = [
        {"line": line, "decision": decision_label(line.decision)}
        for line in settlement.lines.select_related("decision").order_by("decision_id", "band")
    ]
    document = render_to_string("choice/settlement/document.html", {"settlement": settlement, "lines": lines})
    # Tagged (PDF/UA-1): a screen reader reads its headings and table in order.
    return HTML(string=document).write_pdf(pdf_variant="pdf/ua-1")
