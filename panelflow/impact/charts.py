"""The charts on the impact pages, drawn on the server as SVG by matplotlib.

Each chart is a ``matplotlib.figure.Figure`` of its own (never pyplot's shared state), so
requests served on several threads at once cannot draw on each other's charts. They show only
figures the page's tables show: a withheld group is left out of the bars, and a withheld
month is a gap in its line. Colours are GOV.UK's, each at least 4.5:1 against white, and the
series differ by pattern and marker as well as colour.
"""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from panelflow.impact.barriers import Series, category_words, month_words
from panelflow.impact.reports import Breakdown

BLUE = "#1d70b8"
DARK_BLUE = "#003078"
TEXT = "#0b0c0c"
LINES = [  # colour, marker, line style
    ("#1d70b8", "o", "-"),
    ("#d4351c", "s", "--"),
    ("#00703c", "^", "-."),
    ("#4c2c92", "D", ":"),
    ("#6f4e00", "v", "-"),
    ("#0b0c0c", "x", "--"),
]
FONT = {"family": "sans-serif", "size": 10}


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _empty(figure: Figure, words: str) -> None:
    axes = figure.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, words, ha="center", va="center", color=TEXT, fontsize=12)


def before_after(breakdown: Breakdown) -> bytes:
    """Bars of mean attendance before and after, per intervention shown in the table."""
    rows = [r for r in breakdown.rows if not r.withheld and r.mean_before is not None]
    height = max(2.5, 0.6 * len(rows) + 1.5)
    figure = Figure(figsize=(8, height), dpi=100)
    if not rows:
        _empty(figure, "No intervention has figures to show yet")
        return _svg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    bar = 0.38
    befores = [r.mean_before or 0.0 for r in rows]
    afters = [r.mean_after or 0.0 for r in rows]
    axes.barh(
        [p - bar / 2 for p in positions],
        befores,
        bar,
        label="Before",
        color=BLUE,
        hatch="//",
        edgecolor="white",
    )
    axes.barh([p + bar / 2 for p in positions], afters, bar, label="After", color=DARK_BLUE)
    for p, b, a in zip(positions, befores, afters, strict=True):
        axes.text(b + 1, p - bar / 2, f"{b:.1f}%", va="center", color=TEXT, fontsize=9)
        axes.text(a + 1, p + bar / 2, f"{a:.1f}%", va="center", color=TEXT, fontsize=9)
    axes.set_yticks(positions, [_short(r.label) for r in rows], color=TEXT)
    axes.invert_yaxis()
    axes.set_xlim(0, 112)
    axes.set_xlabel("Mean attendance (%)", color=TEXT)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _svg(figure)


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def barriers_over_time(series: Series) -> bytes:
    """A line per category of pupils with barriers recorded each month (gaps where
    withheld)."""
    figure = Figure(figsize=(8, 4), dpi=100)
    if not series.months:
        _empty(figure, "No barriers recorded in these dates")
        return _svg(figure)
    shown = [v for values in series.counts.values() for v in values if v is not None]
    if not shown:
        _empty(figure, "Every count in these months is fewer than 5, so none is drawn")
        return _svg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(series.months)))
    for index, category in enumerate(series.categories):
        colour, marker, style = LINES[index % len(LINES)]
        values = [math.nan if v is None else v for v in series.counts[category]]
        axes.plot(
            positions,
            values,
            color=colour,
            marker=marker,
            linestyle=style,
            label=category_words(category),
        )
    axes.set_xticks(positions, [month_words(m) for m in series.months], rotation=30, ha="right")
    axes.set_ylabel("Pupils", color=TEXT)
    axes.set_ylim(0, max(shown) * 1.15 + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _svg(figure)
