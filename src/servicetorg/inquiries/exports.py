"""Dashboard exports (CSV, XLSX) and the weekly chart (SVG, matplotlib) — all from a Dashboard."""

import csv
import io

from django.utils.translation import gettext as _

from servicetorg.core.choices import Channel
from servicetorg.core.exports import safe_cell
from servicetorg.core.formatting import axis_formatter

from .selectors import Dashboard


def rows(board: Dashboard) -> list[list]:
    labels = dict(Channel.choices)
    out: list[list] = [[_("Figure"), _("Key"), _("Value")]]
    out.append([_("Period"), f"{board.start:%Y-%m-%d}", f"{board.end:%Y-%m-%d}"])
    out.append([_("Inquiries"), "", board.total])
    out.append([_("Replied"), "", board.replied])
    out.append([_("Answered in time"), "", board.in_time])
    out.append([_("Deadline broken"), "", board.breached])
    share = board.in_time_share
    out.append([_("Share answered in time (%)"), "", round(100 * share, 1) if share is not None else ""])
    out.append(
        [_("Median time to reply (hours)"), "", round(board.median_hours, 1) if board.median_hours else ""]
    )
    out.append(
        [_("90th percentile time to reply (hours)"), "", round(board.p90_hours, 1) if board.p90_hours else ""]
    )
    out.append([_("Backlog (open now)"), "", board.backlog_total])
    for channel, n in board.by_channel.items():
        out.append([_("Channel"), labels.get(channel, channel), n])
    for label, n, _share in board.resolution_shares:
        out.append([_("Handling"), str(label), n])
    for week, n in board.by_week:
        out.append([_("Week"), f"{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d}", n])
    for name, n, _in_time in board.by_service:
        out.append([_("Service"), name, n])
    for unit, n in board.backlog:
        out.append([_("Backlog"), unit, n])
    return out


def dashboard_csv(board: Dashboard) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 with the byte-order mark
    writer = csv.writer(buffer, delimiter=";")
    for row in rows(board):
        writer.writerow([_safe(c) for c in row])
    return buffer.getvalue()


def _safe(value):
    """Plain values only; neutralise spreadsheet formulas in text cells (CSV injection)."""
    if value is not None and not isinstance(value, int | float):
        value = str(value)
    return safe_cell(value)


def dashboard_xlsx(board: Dashboard) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Inquiries")[:31]
    for row in rows(board):
        sheet.append([_safe(c) for c in row])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def weekly_chart_svg(board: Dashboard) -> str:
    """Inquiries per week as an SVG bar chart (the table next to it carries the same figures)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 2.6))
    axes = figure.subplots()
    weeks = [w for w, _n in board.by_week]
    counts = [n for _w, n in board.by_week]
    axes.bar(range(len(weeks)), counts, color="#1e5aa8")
    step = max(1, len(weeks) // 12)
    axes.set_xticks(range(0, len(weeks), step))
    axes.set_xticklabels([f"{w.isocalendar()[1]}" for w in weeks[::step]], fontsize=8)
    axes.set_xlabel(_("Week"))
    axes.set_ylabel(_("Inquiries"))
    axes.yaxis.set_major_formatter(axis_formatter())  # 1 200, not 1200 or 1,200, in Norwegian
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.find("<svg") :]
