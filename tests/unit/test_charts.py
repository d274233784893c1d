"""The chart images: real PNGs of a fixed size, drawn without loading matplotlib at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

from bot.charts import HEIGHT_PX, WIDTH_PX, omitted_note, sessions_chart, skill_growth_chart
from bot.services.chart_data import TopicGrowth, WeekCounts
from tests.support import REPO_ROOT, png_size

WEEKS = [
    WeekCounts(
        date(2026, 9, 7) + timedelta(weeks=i), held=i % 3, cancelled=i % 2, missed=i % 4 // 3
    )
    for i in range(12)
]
GROWTH = [
    TopicGrowth("social_media", suppressed=True),
    TopicGrowth("generative_ai", suppressed=False, people=3, at_signup=5 / 3, latest=4.0),
    TopicGrowth("leadership", suppressed=False, people=4, at_signup=2.0, latest=2.5),
]


def test_the_sessions_chart_is_a_1200_by_700_png() -> None:
    data = sessions_chart(WEEKS, program_name="Reverse mentoring 2026")
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1200, 700)
    assert data.endswith(b"IEND\xaeB`\x82")  # complete, not cut short


def test_the_skill_chart_is_the_same_size_even_with_a_long_note() -> None:
    many = [TopicGrowth(f"topic_{i}_with_a_long_name", suppressed=True) for i in range(8)]
    data = skill_growth_chart(GROWTH + many, program_name="R&D <leaders> cohort")
    assert png_size(data) == (1200, 700)


def test_the_note_names_the_topics_left_out() -> None:
    assert omitted_note(GROWTH) == "Not shown (fewer than 3 people re-rated them): Social media"
    assert omitted_note(GROWTH[1:]) == ""


def test_starting_the_app_does_not_load_matplotlib() -> None:
    probe = "import sys, bot.app; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"
