"""SVG charts of the comparison pages, written as SVG text like ``surveys/charts.py`` (no matplotlib:
well under a millisecond each, text stays text). Each chart has a table beside it on its page with
the same figures; marks differ by shape as well as colour (the municipality's own is a larger
diamond, peers are circles), so colour is never the only signal.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from servicetorg.core.formatting import number

FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'
INK = "#1a1a1a"
MARK = "#1e5a8c"
OWN = "#b35c00"
MUTED = "#767676"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _ticks(low: float, high: float) -> list[float]:
    if high <= low:
        return [low]
    span = high - low
    step = 10 ** int(f"{span:e}".split("e")[1])
    for factor in (1, 2, 5, 10):
        if span / (step * factor / 10) <= 6:
            step = step * factor / 10
            break
    start = (low // step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        if value >= low - step * 1e-9:
            ticks.append(round(value, 10))
        value += step
    return ticks


def _polyline(segment: list[str]) -> str:
    return f'<polyline points="{" ".join(segment)}" fill="none" stroke="{MARK}" stroke-width="1.5"/>'


def trend_svg(
    title: str, points: list[tuple[int, float | None]], *, width: int = 160, height: int = 40
) -> str:
    """A small line of the years with a number (gaps where a year has none)."""
    with_number = [(y, v) for y, v in points if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT}><title>{escape(title)}</title>'
    ]
    if with_number:
        years = [y for y, _v in points]
        low = min(v for _y, v in with_number)
        high = max(v for _y, v in with_number)
        span = (high - low) or 1.0
        x0, x1 = 6, width - 6
        step = (x1 - x0) / max(1, len(years) - 1)

        def xy(i, v):
            return x0 + i * step, height - 6 - (v - low) / span * (height - 12)

        segment: list[str] = []
        for i, (_year, value) in enumerate(points):
            if value is None:
                if len(segment) > 1:
                    parts.append(_polyline(segment))
                segment = []
                continue
            x, y = xy(i, value)
            segment.append(f"{_n(x)},{_n(y)}")
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{MARK}"/>')
        if len(segment) > 1:
            parts.append(_polyline(segment))
    parts.append("</svg>")
    return "".join(parts)


def strip_svg(
    title: str,
    values: list[tuple[str, float]],
    *,
    highlight: set[str] | frozenset[str] = frozenset(),
    quartiles: tuple[float, float, float] | None = None,
    width: int = 640,
) -> str:
    """One dot per municipality on a line (a strip plot), jittered by code so dots do not hide each
    other; the quartiles and median as labelled ticks; highlighted municipalities as diamonds."""
    height = 110
    left, right, base = 20, width - 20, 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" preserveAspectRatio="xMidYMid meet" {FONT}>'
        f"<title>{escape(title)}</title>"
    ]
    if values:
        low = min(v for _c, v in values)
        high = max(v for _c, v in values)
        span = (high - low) or 1.0

        def x(v: float) -> float:
            return left + (v - low) / span * (right - left)

        parts.append(
            f'<line x1="{left}" y1="{base + 20}" x2="{right}" y2="{base + 20}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        for tick in _ticks(low, high):
            tx = x(tick)
            parts.append(
                f'<line x1="{_n(tx)}" y1="{base + 20}" x2="{_n(tx)}" y2="{base + 24}" stroke="{INK}"/>'
                f'<text x="{_n(tx)}" y="{base + 38}" text-anchor="middle" '
                f'fill="{INK}">{escape(number(tick))}</text>'
            )
        if quartiles:
            for label, q in zip(("Q1", "M", "Q3"), quartiles, strict=True):
                qx = x(q)
                parts.append(
                    f'<line x1="{_n(qx)}" y1="{base - 24}" x2="{_n(qx)}" y2="{base + 20}" stroke="{MUTED}" '
                    f'stroke-dasharray="3 2"/><text x="{_n(qx)}" y="{base - 28}" text-anchor="middle" '
                    f'fill="{INK}">{label}</text>'
                )
        for code, value in values:
            jitter = (int(code) % 7 - 3) * 4 if code.isdigit() else 0
            cx, cy = x(value), base + jitter
            if code in highlight:
                continue
            parts.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="3" fill="{MARK}" fill-opacity="0.6"/>')
        for code, value in values:  # highlighted on top
            if code in highlight:
                cx = x(value)
                parts.append(
                    f'<path d="M{_n(cx)},{base - 9} l7,9 l-7,9 l-7,-9 z" fill="{OWN}" stroke="{INK}"/>'
                    f'<text x="{_n(cx)}" y="{base - 12}" text-anchor="middle" '
                    f'fill="{INK}">{escape(code)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)
