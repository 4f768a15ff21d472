"""Server-rendered SVG charts for the dashboards: horizontal bars, columns (a histogram or
months), grouped columns (trends of several series) and the age pyramid.

Each chart is a complete ``<svg role="img">`` with a ``<title>`` and an ``aria-label``; the
page always shows the same numbers in a table beside it. No JavaScript, no inline style:
colours come from classes in ``monitoring/dashboard.css``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
ROW = 22
LABEL = 200
FONT_NOTE = "chart-value"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _svg(title: str, width: int, height: int, body: list[str], css: str) -> SafeString:
    label = escape(title)
    # Every label and number inside was escaped where it was written.
    return mark_safe(  # noqa: S308
        f'<svg class="chart dash-chart {css}" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def hbars(items: Sequence[tuple[str, float, str]], *, title: str) -> SafeString:
    """One bar per item: (label, value, text written beside the bar)."""
    room = WIDTH - LABEL - 120
    peak = max([value for _, value, _ in items] + [0]) or 1
    body: list[str] = []
    for i, (label, value, text) in enumerate(items):
        y = 6 + i * ROW
        width = room * max(value, 0) / peak
        body.append(
            f'<text class="chart-label" x="{LABEL - 6}" y="{_fmt(y + ROW * 0.68)}" text-anchor="end">'
            f"{escape(_short(label, 28))}</text>"
            f'<rect class="bar s0" x="{LABEL}" y="{y}" width="{_fmt(width)}" height="{ROW - 6}">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
            f'<text class="{FONT_NOTE}" x="{_fmt(LABEL + width + 6)}" y="{_fmt(y + ROW * 0.68)}">'
            f"{escape(text)}</text>"
        )
    return _svg(title, WIDTH, 12 + max(len(items), 1) * ROW, body, "chart-hbars")


def columns(items: Sequence[tuple[str, float, str]], *, title: str) -> SafeString:
    """One column per item (a histogram's buckets, the months of a year)."""
    return grouped(
        [label for label, _, _ in items],
        [("", [v for _, v, _ in items])],
        title=title,
        texts=[[t for _, _, t in items]],
    )


def grouped(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    texts: Sequence[Sequence[str]] | None = None,
) -> SafeString:
    """Columns grouped per label, one colour per series, with a legend when there are several
    series."""
    height, top, bottom, left = 220, 24, 40, 8
    n = max(len(labels), 1)
    slot = (WIDTH - left * 2) / n
    bar = max(min((slot - 6) / max(len(series), 1), 40), 2)
    peak = max([v for _, values in series for v in values] + [0]) or 1
    room = height - top - bottom
    body = [
        f'<line class="chart-axis" x1="{left}" x2="{WIDTH - left}" y1="{height - bottom}" '
        f'y2="{height - bottom}"></line>'
    ]
    if len(series) > 1:
        x = left
        for s, (name, _) in enumerate(series):
            body.append(
                f'<rect class="bar s{s}" x="{_fmt(x)}" y="4" width="10" height="10"></rect>'
                f'<text class="chart-legend" x="{_fmt(x + 14)}" y="13">{escape(name)}</text>'
            )
            x += 24 + 7 * len(name)
    for i, label in enumerate(labels):
        x0 = left + i * slot + (slot - bar * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[i] if i < len(values) else 0
            h = room * max(value, 0) / peak
            text = texts[s][i] if texts else _fmt(value)
            what = f"{label}{', ' + name if name else ''}: {text}"
            body.append(
                f'<rect class="bar s{s}" x="{_fmt(x0 + s * bar)}" y="{_fmt(height - bottom - h)}" '
                f'width="{_fmt(bar - 1)}" height="{_fmt(h)}"><title>{escape(what)}</title></rect>'
            )
            if len(series) == 1 and value:
                body.append(
                    f'<text class="{FONT_NOTE}" x="{_fmt(x0 + bar / 2)}" y="{_fmt(height - bottom - h - 3)}" '
                    f'text-anchor="middle">{escape(text)}</text>'
                )
        body.append(
            f'<text class="chart-label" x="{_fmt(left + i * slot + slot / 2)}" y="{height - bottom + 14}" '
            f'text-anchor="middle">{escape(_short(label, 10))}</text>'
        )
    return _svg(title, WIDTH, height, body, "chart-columns")


def pyramid(rows: Sequence[tuple[str, int, int]], *, title: str) -> SafeString:
    """The age pyramid: (band, men, women), youngest band at the bottom."""
    centre, half, label_w = WIDTH / 2, (WIDTH - 80) / 2 - 10, 40
    peak = max([max(m, f) for _, m, f in rows] + [0]) or 1
    body = [
        f'<text class="chart-legend" x="{_fmt(centre - half / 2)}" y="14" text-anchor="middle">Laki-laki</text>'
        f'<text class="chart-legend" x="{_fmt(centre + half / 2)}" y="14" text-anchor="middle">Perempuan</text>'
    ]
    ordered = list(reversed(rows))
    for i, (band, male, female) in enumerate(ordered):
        y = 22 + i * 16
        wm = (half - label_w / 2) * male / peak
        wf = (half - label_w / 2) * female / peak
        body.append(
            f'<rect class="chart-male" x="{_fmt(centre - label_w / 2 - wm)}" y="{y}" width="{_fmt(wm)}" '
            f'height="13"><title>{escape(band)} tahun, laki-laki: {male}</title></rect>'
            f'<rect class="chart-female" x="{_fmt(centre + label_w / 2)}" y="{y}" width="{_fmt(wf)}" '
            f'height="13"><title>{escape(band)} tahun, perempuan: {female}</title></rect>'
            f'<text class="chart-label" x="{_fmt(centre)}" y="{y + 11}" text-anchor="middle">{escape(band)}</text>'
        )
    return _svg(title, WIDTH, 28 + len(ordered) * 16, body, "chart-pyramid")
