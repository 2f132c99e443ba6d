"""Charts of survey results as SVG, for the printable report, its PDF and downloads.

The bar chart is written directly as SVG text: one ``<rect>`` and one ``<text>`` per alternative,
colours as presentation attributes. That takes well under a millisecond where a matplotlib figure
took some 100 ms (a report has one per question), keeps the PDF small, and WeasyPrint draws it as
it is meant (it ignores the ``style`` attributes matplotlib writes). Text stays text: searchable and
read by screen readers.
"""

from xml.sax.saxutils import escape

from servicetorg.core.formatting import number, percent

WIDTH = 600
ROW = 30  # height of one bar's band
BAR = 20
TOP = 10
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'
BAR_COLOUR = "#1e5a8c"


def _label(text: str) -> str:
    return text if len(text) <= 40 else text[:38] + "…"


def _bar_text(row) -> str:
    """What stands at the end of a bar: its percentage and count ("45,2 % (1 234)" in Norwegian)."""
    return f"{percent(row.percent or 0)} ({number(row.count)})"


def _number(value: float) -> str:
    """A coordinate, short: 12.5, 30."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def frequency_svg(result) -> str:
    """Horizontal bars of the valid percentages of one question ("don't know" left out; hidden
    alternatives are not drawn)."""
    rows = [r for r in result.table.rows if not r.excluded and not r.suppressed]
    labels = [_label(r.label) for r in rows]
    values = [float(r.percent or 0) for r in rows]
    # Room for the longest label (DejaVu Sans at 12 px: about 7 px a character), within reason.
    left = min(260, max((7 * len(label) for label in labels), default=0) + 14)
    right = WIDTH - 110  # room for "100 % (12345)" after the longest bar
    scale = (right - left) / max(100.0, max(values, default=0))
    height = 2 * TOP + ROW * len(rows)
    bottom = TOP + ROW * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" {FONT}>',
        f"<title>{escape(result.question.text)}</title>",
    ]
    for i, (label, value, row) in enumerate(zip(labels, values, rows, strict=True)):
        y = TOP + ROW * i
        baseline = y + ROW / 2 + 4  # 12 px text centred on the bar
        width = value * scale
        parts.append(
            f'<text x="{left - 6}" y="{_number(baseline)}" text-anchor="end" '
            f'fill="#1a1a1a">{escape(label)}</text>'
            f'<rect x="{left}" y="{_number(y + (ROW - BAR) / 2)}" width="{_number(width)}" height="{BAR}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{_number(left + width + 4)}" y="{_number(baseline)}" '
            f'fill="#1a1a1a">{escape(_bar_text(row))}</text>'
        )
    # The bars carry their figures, so no scale with ticks: less to draw, nothing to misread.
    parts.append(
        f'<line x1="{left}" y1="{TOP}" x2="{left}" y2="{bottom}" stroke="#1a1a1a" stroke-width="0.8"/></svg>'
    )
    return "".join(parts)
