"""Charts as SVG markup, built on the server (no JavaScript; CSP-safe).

The same markup goes into the web dashboards and into the PDF (WeasyPrint
renders inline SVG). Only presentation attributes are used, never ``style``
attributes, which the Content-Security-Policy would block. Every chart has a
``<title>``/``<desc>`` and the pages show a table with the same numbers next
to it (the accessible alternative).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

# Colours with at least 3:1 contrast against white (WCAG 1.4.11 non-text contrast).
PALETTE = ["#00466e", "#b35c00", "#1e6b30", "#6b3fa0", "#a4161a", "#00707a", "#5c5c5c"]
TEXT = "#1b1b1b"
GRID = "#8a96a3"
TARGET = "#a4161a"

_counter = 0


def _uid(prefix: str) -> str:
    global _counter
    _counter += 1
    return f"{prefix}-{_counter}"


def _fmt(value, decimals: int) -> str:
    if value is None:
        return "–"
    return number_format(Decimal(value), decimal_pos=decimals, use_l10n=True)


@dataclass
class Series:
    label: str
    values: list
    colour: str | None = None


@dataclass
class BarChart:
    """Horizontal bars: one group per category, one bar per series.

    ``targets`` (optional, one per category and series) draws a red tick for
    the expected value, e.g. the staffing quota.
    """

    title: str
    categories: list[str]
    series: list[Series]
    targets: list[list] | None = None
    decimals: int = 2
    unit: str = ""
    description: str = ""
    label_width: int = 190
    width: int = 640
    bar_height: int = 14
    meta: dict = field(default_factory=dict)

    def svg(self) -> SafeString:
        n_series = max(len(self.series), 1)
        group_h = self.bar_height * n_series + 10
        legend_h = 22 if n_series > 1 or self.targets else 0
        top = 8 + legend_h
        height = top + group_h * max(len(self.categories), 1) + 26
        plot_w = self.width - self.label_width - 60
        values = [v for s in self.series for v in s.values if v is not None]
        if self.targets:
            values += [t for row in self.targets for t in row if t is not None]
        vmax = float(max(values, default=0)) or 1.0
        scale = plot_w / vmax
        tid, did = _uid("chart-title"), _uid("chart-desc")
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {self.width} {height}" width="{self.width}" height="{height}" '
            f'aria-labelledby="{tid} {did}" font-family="Report Sans, DejaVu Sans, sans-serif" font-size="11">',
            f'<title id="{tid}">{escape(self.title)}</title>',
            f'<desc id="{did}">{escape(self.description or self.title)}</desc>',
        ]
        # Legend.
        x = self.label_width
        if legend_h:
            for i, s in enumerate(self.series):
                colour = s.colour or PALETTE[i % len(PALETTE)]
                out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
                out.append(f'<text x="{x + 16}" y="16" fill="{TEXT}">{escape(s.label)}</text>')
                x += 26 + 7 * len(s.label)
            if self.targets:
                out.append(
                    f'<line x1="{x}" y1="4" x2="{x}" y2="20" stroke="{TARGET}" stroke-width="3"/>'
                )
                out.append(
                    f'<text x="{x + 6}" y="16" fill="{TEXT}">{escape(self.meta.get("target_label", "Soll"))}</text>'
                )
        # Axis.
        base_x = self.label_width
        axis_y = top + group_h * len(self.categories)
        out.append(
            f'<line x1="{base_x}" y1="{top - 2}" x2="{base_x}" y2="{axis_y}" stroke="{GRID}"/>'
        )
        for i, category in enumerate(self.categories):
            gy = top + i * group_h
            out.append(
                f'<text x="{self.label_width - 6}" y="{gy + group_h / 2 + 2:.1f}" '
                f'text-anchor="end" fill="{TEXT}">{escape(_shorten(category, 30))}</text>'
            )
            for j, s in enumerate(self.series):
                value = s.values[i] if i < len(s.values) else None
                colour = s.colour or PALETTE[j % len(PALETTE)]
                y = gy + 4 + j * self.bar_height
                w = float(value or 0) * scale
                out.append(
                    f'<rect x="{base_x}" y="{y}" width="{w:.1f}" height="{self.bar_height - 3}" '
                    f'fill="{colour}"><title>{escape(category)} – {escape(s.label)}: '
                    f"{_fmt(value, self.decimals)}{escape(self.unit)}</title></rect>"
                )
                out.append(
                    f'<text x="{base_x + w + 4:.1f}" y="{y + self.bar_height - 5}" '
                    f'fill="{TEXT}" font-size="10">{_fmt(value, self.decimals)}</text>'
                )
                if self.targets and self.targets[i][j] is not None:
                    tx = base_x + float(self.targets[i][j]) * scale
                    out.append(
                        f'<line x1="{tx:.1f}" y1="{y - 1}" x2="{tx:.1f}" '
                        f'y2="{y + self.bar_height - 2}" stroke="{TARGET}" stroke-width="3"/>'
                    )
        out.append(
            f'<text x="{base_x}" y="{height - 6}" fill="{TEXT}" font-size="10">0</text>'
            f'<text x="{base_x + plot_w:.0f}" y="{height - 6}" text-anchor="end" fill="{TEXT}" '
            f'font-size="10">{_fmt(vmax, self.decimals)}{escape(self.unit)}</text>'
        )
        out.append("</svg>")
        return mark_safe("".join(out))


@dataclass
class LineChart:
    """Values over time: one line per series, points labelled on the x axis."""

    title: str
    labels: list[str]
    series: list[Series]
    decimals: int = 1
    description: str = ""
    width: int = 640
    height: int = 240

    def svg(self) -> SafeString:
        left, right, top, bottom = 48, 40, 30, 40
        plot_w = self.width - left - right
        plot_h = self.height - top - bottom
        values = [float(v) for s in self.series for v in s.values if v is not None]
        vmax = max(values, default=0) or 1.0
        step = plot_w / max(len(self.labels) - 1, 1)
        tid, did = _uid("chart-title"), _uid("chart-desc")
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {self.width} {self.height}" width="{self.width}" height="{self.height}" '
            f'aria-labelledby="{tid} {did}" font-family="Report Sans, DejaVu Sans, sans-serif" font-size="11">',
            f'<title id="{tid}">{escape(self.title)}</title>',
            f'<desc id="{did}">{escape(self.description or self.title)}</desc>',
        ]
        for k in range(5):
            v = vmax * k / 4
            y = top + plot_h - plot_h * k / 4
            out.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="0.5"/>'
                f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}" '
                f'font-size="10">{_fmt(v, self.decimals)}</text>'
            )
        for i, label in enumerate(self.labels):
            x = left + i * step
            out.append(
                f'<text x="{x:.1f}" y="{self.height - bottom + 16}" text-anchor="middle" '
                f'fill="{TEXT}" font-size="10">{escape(label)}</text>'
            )
        x = left
        for j, s in enumerate(self.series):
            colour = s.colour or PALETTE[j % len(PALETTE)]
            points = [
                (left + i * step, top + plot_h - plot_h * float(v) / vmax)
                for i, v in enumerate(s.values)
                if v is not None
            ]
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
                + " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                + '"/>'
            )
            for (px, py), v, label in zip(points, s.values, self.labels, strict=False):
                out.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(s.label)} {escape(label)}: {_fmt(v, self.decimals)}</title>"
                    "</circle>"
                )
            out.append(
                f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16}" y="18" fill="{TEXT}">{escape(s.label)}</text>'
            )
            x += 30 + 7 * len(s.label)
        out.append("</svg>")
        return mark_safe("".join(out))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
