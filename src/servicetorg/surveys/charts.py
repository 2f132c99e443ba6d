"""Charts of survey results as SVG (matplotlib), for the printable report and downloads."""

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

plt.rcParams["svg.hashsalt"] = "servicetorg"
plt.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, readable by screen readers


def frequency_svg(result) -> str:
    """Horizontal bars of the valid percentages of one question ("don't know" left out)."""
    rows = [r for r in result.table.rows if not r.excluded and not r.suppressed]
    labels = [r.label if len(r.label) <= 40 else r.label[:38] + "…" for r in rows]
    values = [float(r.percent or 0) for r in rows]
    figure = Figure(figsize=(6.0, 0.45 * len(rows) + 0.8), dpi=100)
    axes = figure.add_subplot()
    bars = axes.barh(range(len(rows)), values, color="#1e5a8c")
    axes.set_yticks(range(len(rows)), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, max(100, max(values, default=0) + 10))
    axes.set_xlabel("%")
    for bar, value, row in zip(bars, values, rows, strict=True):
        axes.text(
            bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{value:g} % ({row.count})", va="center"
        )
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg") :]
