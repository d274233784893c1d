"""`/mentoring stats chart` over HTTP: two PNGs arrive in the coordinator's DM, or a private
word saying why not."""

from __future__ import annotations

import json

from bot.handlers.stats import CHARTS_SENT as SENT
from bot.services.programs import ProgramInput, create_program
from tests.conftest import COORDINATOR, RunningBot
from tests.factories import seed_pair
from tests.fakeslack import UploadedFile
from tests.scenarios import CHART_NOW, seed_growth, seed_sessions
from tests.support import png_size

PROGRAM = "Reverse mentoring 2026"  # the default program seeded people join
UPLOAD_WAIT = 60.0  # the first chart of a fresh install waits for matplotlib's font cache


def charts_in_dm(bot: RunningBot) -> list[UploadedFile]:
    dm = bot.slack.dm_channel(COORDINATOR)
    bot.slack.wait_for_file(
        lambda f: f.channel == dm and f.filename == "skill-growth.png", timeout=UPLOAD_WAIT
    )
    return [f for f in bot.slack.files if f.channel == dm]


def test_a_coordinator_gets_both_charts_in_their_dm(bot: RunningBot) -> None:
    seed_sessions(bot.session_factory)
    seed_growth(bot.session_factory)
    bot.clock.set(CHART_NOW)

    assert bot.driver.command(COORDINATOR, "stats chart").status_code == 200

    files = charts_in_dm(bot)
    assert [f.filename for f in files] == ["sessions-per-week.png", "skill-growth.png"]
    assert [f.title for f in files] == [
        f"Sessions per week, {PROGRAM}",
        f"Skill growth per topic, {PROGRAM}",
    ]
    for chart in files:
        assert chart.content is not None
        assert png_size(chart.content) == (1200, 700)
        assert chart.initial_comment == f"Charts for *{PROGRAM}*."
    # Both went up the two-step way, into the DM the app opened with the coordinator.
    assert len(bot.slack.calls_to("files.getUploadURLExternal")) == 2
    [opened] = bot.slack.calls_to("conversations.open")
    assert opened.args["users"] == COORDINATOR
    assert bot.slack.wait_for_response()["text"] == SENT


def test_a_program_can_be_named_and_a_wrong_name_is_explained(bot: RunningBot) -> None:
    seed_sessions(bot.session_factory)
    bot.clock.set(CHART_NOW)

    refused = bot.driver.command(COORDINATOR, "stats chart Pilot").json()
    assert "no program called “Pilot”" in refused["text"]
    assert bot.slack.files == []

    bot.driver.command(COORDINATOR, "stats chart reverse MENTORING 2026")
    chart = bot.slack.wait_for_file(timeout=UPLOAD_WAIT)
    assert chart.filename == "sessions-per-week.png"
    assert chart.content is not None and png_size(chart.content) == (1200, 700)
    # Sessions but no topic re-rated by three people: one chart, and a word on the other.
    assert chart.initial_comment is not None
    assert chart.initial_comment.startswith(f"Charts for *{PROGRAM}*.")
    assert "No skill-growth chart yet" in chart.initial_comment
    assert len(bot.slack.calls_to("files.getUploadURLExternal")) == 1


def test_with_nothing_to_chart_the_coordinator_is_told_privately(bot: RunningBot) -> None:
    bot.clock.set(CHART_NOW)
    # Refusals are the command's own private answer, before anything is drawn.
    answer = bot.driver.command(COORDINATOR, "stats chart").json()
    assert answer["response_type"] == "ephemeral"
    assert "There's no program yet" in answer["text"]

    with bot.session_factory.begin() as db_session:
        create_program(
            db_session, team_id=bot.slack.team_id, values=ProgramInput(name="Pilot"), now=CHART_NOW
        )
    answer = bot.driver.command(COORDINATOR, "stats chart").json()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Nothing to chart for Pilot yet")
    assert bot.slack.calls_to("files.getUploadURLExternal") == []
    assert bot.slack.calls_to("conversations.open") == []
    assert bot.slack.files == []


def test_survey_answers_alone_are_charted(bot: RunningBot) -> None:
    seed_growth(bot.session_factory)  # people and their answers, but no sessions at all
    bot.clock.set(CHART_NOW)
    bot.driver.command(COORDINATOR, "stats chart")
    chart = bot.slack.wait_for_file(timeout=UPLOAD_WAIT)
    assert chart.filename == "skill-growth.png"
    assert chart.content is not None and png_size(chart.content) == (1200, 700)
    assert chart.initial_comment is not None
    assert "No sessions held, cancelled or missed in the last 12 weeks." in chart.initial_comment
    assert len(bot.slack.files) == 1


def test_only_coordinators_get_charts(bot: RunningBot) -> None:
    seed_sessions(bot.session_factory)
    seed_growth(bot.session_factory)
    bot.clock.set(CHART_NOW)
    bot.slack.add_user("U0EVE")

    for text in ("stats chart", "stats"):
        response = bot.driver.command("U0EVE", text)
        assert "only program coordinators" in response.json()["text"]
    assert bot.slack.calls_to("files.getUploadURLExternal") == []
    assert bot.slack.calls_to("conversations.open") == []
    assert bot.slack.files == []


def test_plain_stats_is_the_text_report_not_charts(bot: RunningBot) -> None:
    seed_pair(bot.session_factory)  # a program with a pair in it
    response = bot.driver.command(COORDINATOR, "stats")
    assert response.status_code == 200
    assert "Program report" in json.dumps(bot.slack.wait_for_response())
    assert bot.slack.files == []
