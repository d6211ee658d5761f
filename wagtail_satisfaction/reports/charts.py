"""Server-rendered SVG charts: nothing is loaded from elsewhere, and they print in black.

Labels are escaped with ``format_html``; values are exact fractions rounded for display.
"""

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .stats import round_percent

INK = "#1d1d1d"
BAR = "#2e6b8a"
GRID = "#b5b5b5"


def _fmt(value):
    return "–" if value is None else number_format(round_percent(value), 2)


def _n(number):
    return f"{number:.1f}"


def bar_chart(items, title):
    """Horizontal bars from 0 to 100 %: ``items`` is [(label, exact percent or None, n)]."""
    label_w, bar_w, row_h, top = 260, 340, 24, 26
    width = label_w + bar_w + 110
    height = top + row_h * len(items) + 10
    rows = []
    for i, (label, value, n) in enumerate(items):
        y = top + i * row_h
        length = 0 if value is None else float(value) / 100 * bar_w
        short = label if len(label) <= 40 else label[:39] + "…"
        rows.append(format_html(
            '<g><title>{full}: {value}% (N = {n})</title>'
            '<text x="{tx}" y="{ty}" text-anchor="end">{label}</text>'
            '<rect x="{bx}" y="{by}" width="{bw}" height="{bh}" fill="{bar}" '
            'stroke="{ink}" stroke-width="0.5"/>'
            '<text x="{vx}" y="{ty}">{value}% · N={n}</text></g>',
            full=label, label=short, value=_fmt(value), n=n, tx=label_w - 8, ty=y + 16,
            bx=label_w, by=y + 4, bw=_n(length), bh=row_h - 8, bar=BAR, ink=INK,
            vx=_n(label_w + length + 6)))
    grid = format_html_join("", '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" '
                            'stroke-dasharray="2 3"/><text x="{0}" y="{4}" '
                            'text-anchor="middle">{5}%</text>',
                            ((_n(label_w + bar_w * p / 100), top - 4, height - 6, GRID, top - 8, p)
                             for p in (0, 25, 50, 75, 100)))
    return format_html(
        '<svg class="satisfaction-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-size="12" '
        'font-family="sans-serif" fill="{ink}" aria-label="{title}"><title>{title}</title>'
        '{grid}{rows}</svg>',
        w=width, h=height, ink=INK, title=title, grid=grid, rows=mark_safe("".join(rows)))


def line_chart(points, title, caption=None):
    """A trend line of exact percentages by month: ``points`` is [(label, value or None, n)]."""
    left, top, plot_w, plot_h = 44, 14, max(60 * len(points), 240), 180
    width, height = left + plot_w + 20, top + plot_h + 44
    step = plot_w / max(len(points), 1)

    def y_of(value):
        return top + plot_h - float(value) / 100 * plot_h

    coords = [(left + step * (i + 0.5), y_of(v)) for i, (_l, v, _n) in enumerate(points)
              if v is not None]
    grid = format_html_join("", '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" '
                            'stroke="{3}" stroke-dasharray="2 3"/><text x="{4}" y="{5}" '
                            'text-anchor="end">{6}%</text>',
                            ((left, _n(y_of(p)), left + plot_w, GRID, left - 4, _n(y_of(p) + 4), p)
                             for p in (0, 25, 50, 75, 100)))
    marks = format_html_join(
        "", '<g><title>{0}: {1}% (N = {2})</title>{3}'
        '<text x="{4}" y="{5}" text-anchor="middle">{0}</text></g>',
        ((label, _fmt(value), n,
          format_html('<circle cx="{}" cy="{}" r="4" fill="{}"/>'
                      '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                      _n(left + step * (i + 0.5)), _n(y_of(value)), INK,
                      _n(left + step * (i + 0.5)), _n(y_of(value) - 8), _fmt(value))
          if value is not None else "",
          _n(left + step * (i + 0.5)), top + plot_h + 18)
         for i, (label, value, n) in enumerate(points)))
    line = format_html('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
                       INK, " ".join(f"{x},{y}" for x, y in coords)) if coords else ""
    return format_html(
        '<svg class="satisfaction-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-size="12" '
        'font-family="sans-serif" fill="{ink}" aria-label="{title}"><title>{title}</title>'
        '{grid}{line}{marks}<text x="{left}" y="{bottom}">{caption}</text></svg>',
        w=width, h=height, ink=INK, title=title, grid=grid, line=line, marks=marks, left=left,
        bottom=height - 4, caption=caption or _("% satisfied answers by month"))
