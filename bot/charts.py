"""The coordinators' charts as PNG images, drawn with matplotlib's Agg backend.

matplotlib is imported inside the drawing functions, so starting the app neither loads nor
configures it; the figures are built without pyplot, so no global state is shared between
the threads that answer Slack.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from bot.services.chart_data import MIN_GROUP, TopicGrowth, WeekCounts
from bot.services.topics import topic_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX = 1200, 700
DPI = 100
SESSIONS_TITLE = "Sessions per week: held vs cancelled"
GROWTH_TITLE = "Skill growth per topic: at sign-up vs latest survey"
HELD, CANCELLED, MISSED = "#2e7d32", "#c62828", "#f9a825"
AT_SIGNUP, LATEST = "#90a4ae", "#1565c0"


def _figure() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches itself: the figure now draws with Agg
    buffer = io.BytesIO()
    # No bbox_inches="tight": the image keeps exactly WIDTH_PX x HEIGHT_PX.
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _titles(figure: Figure, axes: Axes, title: str, program_name: str) -> None:
    figure.suptitle(title, fontsize=16, fontweight="bold")
    # A name is text, not TeX: "$" in it would start matplotlib's mathtext (and can fail it).
    axes.set_title(program_name, fontsize=12, color="#555555", parse_math=False)


def sessions_chart(weeks: list[WeekCounts], *, program_name: str) -> bytes:
    """Grouped bars per week: sessions held, cancelled and missed."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    width = 0.27
    series = (
        ("Held", HELD, [w.held for w in weeks]),
        ("Cancelled", CANCELLED, [w.cancelled for w in weeks]),
        ("Missed", MISSED, [w.missed for w in weeks]),
    )
    for offset, (label, colour, values) in zip((-width, 0.0, width), series, strict=True):
        bars = axes.bar([p + offset for p in positions], values, width, label=label, color=colour)
        axes.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=9)
    axes.set_xticks(positions, [f"{w.week_start:%d %b}" for w in weeks])
    axes.set_xlabel("Week starting (Monday, UTC)")
    axes.set_ylabel("Sessions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    tallest = max([v for _, _, values in series for v in values] + [1])
    axes.set_ylim(0, tallest * 1.3)  # headroom for the bar labels and the legend
    axes.legend(loc="upper left", ncols=3)
    axes.grid(axis="y", alpha=0.3)
    _titles(figure, axes, SESSIONS_TITLE, program_name)
    return _png(figure)


def omitted_note(topics: list[TopicGrowth]) -> str:
    """The line under the skill chart naming the topics left out, or "" when none are."""
    left_out = [topic_label(t.topic) for t in topics if t.suppressed]
    if not left_out:
        return ""
    return f"Not shown (fewer than {MIN_GROUP} people re-rated them): " + ", ".join(left_out)


def skill_growth_chart(topics: list[TopicGrowth], *, program_name: str) -> bytes:
    """Paired bars per topic: mean self-rating at sign-up and in the latest survey (1-5)."""
    shown = [t for t in topics if not t.suppressed]
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(shown)))
    width = 0.38
    series = (
        ("At sign-up", AT_SIGNUP, [t.at_signup or 0.0 for t in shown]),
        ("Latest survey", LATEST, [t.latest or 0.0 for t in shown]),
    )
    for offset, (label, colour, values) in zip((-width / 2, width / 2), series, strict=True):
        bars = axes.bar([p + offset for p in positions], values, width, label=label, color=colour)
        axes.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=2, fontsize=10)
    # Wrapped, so that all twelve catalog topics fit side by side.
    labels = [f"{textwrap.fill(topic_label(t.topic), 14)}\n{t.people} people" for t in shown]
    axes.set_xticks(positions, labels, fontsize=9 if len(shown) > 6 else 10)
    axes.set_ylabel("Mean self-rating (1 = beginner, 5 = expert)")
    axes.set_ylim(0, 6.2)  # headroom for the bar labels and the legend
    axes.set_yticks([1, 2, 3, 4, 5])
    pad = (max(len(shown), 3) - len(shown)) / 2  # one or two topics keep slim, centred bars
    axes.set_xlim(-0.6 - pad, len(shown) - 0.4 + pad)
    axes.legend(loc="upper left", ncols=2)
    axes.grid(axis="y", alpha=0.3)
    _titles(figure, axes, GROWTH_TITLE, program_name)
    note = omitted_note(topics)
    if note:
        figure.supxlabel(note, fontsize=10, color="#555555")
    return _png(figure)
