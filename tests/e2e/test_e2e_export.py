"""`/mentoring export` over HTTP: three CSV files land in the coordinator's DM, nowhere else."""

from __future__ import annotations

import json

import pytest

from tests.conftest import COORDINATOR, RunningBot
from tests.fakeslack import UploadedFile
from tests.scenarios import (
    EXPORT_AT,
    FIRST_NOTE,
    MENTEE_NOTE,
    MENTOR_NOTE,
    PAIR_HEADER,
    PARTICIPANT_HEADER,
    SESSION_HEADER,
    seed_program,
)
from tests.support import ephemeral_text

pytestmark = pytest.mark.needs_contract

OUTSIDER = "U0EVE"


def header_of(upload: UploadedFile) -> list[str]:
    assert upload.content is not None
    text = upload.content.decode("utf-8-sig")
    return text.split("\r\n", 1)[0].split(",")


def test_the_coordinator_gets_three_csv_files_in_their_dm(bot: RunningBot) -> None:
    seeded = seed_program(bot.session_factory)
    bot.clock.set(EXPORT_AT)

    response = bot.driver.command(COORDINATOR, "export")
    assert response.status_code == 200
    assert "the CSV files will arrive in our DM" in ephemeral_text(response)

    answer = bot.slack.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("Exported *Reverse mentoring 2026* to our DM:")
    for count in ("4 participants", "1 pair", "4 sessions"):
        assert count in answer["text"]

    dm = bot.slack.dm_channel(COORDINATOR)
    [opened] = bot.slack.calls_to("conversations.open")
    assert opened.args["users"] == COORDINATOR
    files = {f.filename: f for f in bot.slack.files}
    assert sorted(files) == ["pairs.csv", "participants.csv", "sessions.csv"]
    assert {f.channel for f in files.values()} == {dm}
    # One message carries all three, with what they hold.
    [shared] = bot.slack.calls_to("files.completeUploadExternal")
    assert len(json.loads(shared.args["files"])) == 3
    assert "4 participants" in (files["pairs.csv"].initial_comment or "")
    assert files["participants.csv"].title == "Participants: Reverse mentoring 2026"

    assert header_of(files["participants.csv"]) == PARTICIPANT_HEADER
    assert header_of(files["pairs.csv"]) == PAIR_HEADER
    assert header_of(files["sessions.csv"]) == SESSION_HEADER
    sessions = (files["sessions.csv"].content or b"").decode("utf-8-sig")
    assert f"\r\n{seeded.first},{seeded.pair.pair_id},2026-11-03T15:00:00+00:00," in sessions
    for upload in files.values():
        content = (upload.content or b"").decode("utf-8-sig")
        for note in (MENTOR_NOTE, MENTEE_NOTE, FIRST_NOTE):
            assert note not in content


def test_a_program_can_be_named_and_an_unknown_one_is_refused(bot: RunningBot) -> None:
    seed_program(bot.session_factory)
    refused = bot.driver.command(COORDINATOR, "export Autumn cohort")
    assert "no program called “Autumn cohort”" in ephemeral_text(refused)
    assert bot.slack.uploads == {}

    named = bot.driver.command(COORDINATOR, "export reverse mentoring 2026")
    assert "Exporting *Reverse mentoring 2026*" in ephemeral_text(named)
    bot.slack.wait_for_file(lambda f: f.filename == "sessions.csv")


def test_someone_who_is_not_a_coordinator_is_refused_and_nothing_is_sent(
    bot: RunningBot,
) -> None:
    seed_program(bot.session_factory)
    bot.slack.add_user(OUTSIDER)  # an ordinary member: not admin, not listed
    response = bot.driver.command(OUTSIDER, "export")
    assert "only program coordinators" in ephemeral_text(response)
    assert bot.slack.uploads == {}
    assert bot.slack.calls_to("conversations.open") == []
    assert [c.method for c in bot.slack.calls if c.method.startswith("files.")] == []


def test_help_lists_export_for_coordinators(bot: RunningBot) -> None:
    listing = ephemeral_text(bot.driver.command(COORDINATOR, "help"))
    assert "/mentoring export [program]" in listing
