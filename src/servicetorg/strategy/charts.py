"""Charts of an indicator over the period (matplotlib → SVG), for the web page and the PDF."""

import base64
import io
from decimal import Decimal

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from servicetorg.core.formatting import axis_formatter

ACTUAL_COLOR = "#0062ba"
TARGET_COLOR = "#1e2b3c"


def indicator_chart(
    *,
    years: list[int],
    actual: dict[int, Decimal | None],
    target: dict[int, Decimal | None],
    unit_of_measure: str,
    actual_label: str,
    target_label: str,
) -> str:
    """An SVG document (text): actual values as a line, targets as a dashed line with markers."""
    with rc_context(
        {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 8, "svg.hashsalt": "st"}
    ):
        figure = Figure(figsize=(4.6, 2.0), dpi=72)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        xs = [y for y in years if actual.get(y) is not None]
        axes.plot(xs, [float(actual[y]) for y in xs], marker="o", color=ACTUAL_COLOR, label=actual_label)
        ts = [y for y in years if target.get(y) is not None]
        axes.plot(
            ts,
            [float(target[y]) for y in ts],
            marker="s",
            linestyle="--",
            color=TARGET_COLOR,
            label=target_label,
        )
        axes.set_xticks(years)
        axes.set_xticklabels([str(y) for y in years])
        axes.yaxis.set_major_formatter(axis_formatter())  # 12 345,6 in Norwegian
        axes.set_ylabel(unit_of_measure)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="upper left", frameon=False, ncols=2)
        figure.subplots_adjust(left=0.16, right=0.98, top=0.95, bottom=0.14)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
