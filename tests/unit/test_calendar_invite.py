"""Calendar invites: valid iCalendar, one event per session updated in place, and delivered
into a DM through Slack's file upload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from slack_sdk import WebClient

from bot.services.calendar_invite import session_invite
from bot.slack.files import Upload, share
from tests.fakeslack import FakeSlack

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
STARTS = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
UID = "session-42@reverse-mentoring"


def invite(**overrides) -> bytes:
    args = {
        "uid": UID,
        "starts_at": STARTS,
        "minutes": 45,
        "summary": "Reverse mentoring: Ana & Bo",
        "description": "Agenda:\n5 min: Check-in; then Generative AI, hands-on",
        "now": NOW,
    }
    return session_invite(**{**args, **overrides})


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_an_invite_is_one_event_at_the_right_time_in_utc() -> None:
    data = invite()
    calendar, event = parse(data)
    assert calendar["version"] == "2.0" and calendar["prodid"]
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]) == UID
    assert event.decoded("dtstart") == STARTS
    assert event.decoded("dtend") == STARTS + timedelta(minutes=45)
    assert event.decoded("dtstamp") == NOW
    assert int(event["sequence"]) == 0
    assert event["status"] == "CONFIRMED"
    assert b"DTSTART:20261201T150000Z\r\n" in data and b"DTEND:20261201T154500Z\r\n" in data
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")


def test_text_with_commas_semicolons_and_new_lines_survives() -> None:
    long_line = "Try this prompt: " + "summarise the thread, then list actions; " * 10
    _, event = parse(invite(description=long_line + "\nSecond line"))
    assert str(event["summary"]) == "Reverse mentoring: Ana & Bo"
    assert str(event["description"]) == long_line + "\nSecond line"
    assert all(len(line) <= 75 for line in invite(description=long_line).split(b"\r\n"))


def test_a_start_in_another_time_zone_is_written_in_utc() -> None:
    lisbon_winter = datetime(2026, 12, 1, 15, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
    new_york = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert b"DTSTART:20261201T150000Z" in invite(starts_at=lisbon_winter)
    assert b"DTSTART:20261201T150000Z" in invite(starts_at=new_york)


def test_a_moved_session_updates_the_same_event() -> None:
    _, first = parse(invite())
    _, moved = parse(invite(starts_at=STARTS + timedelta(days=2), sequence=1))
    assert str(moved["uid"]) == str(first["uid"])
    assert int(moved["sequence"]) == int(first["sequence"]) + 1
    assert moved.decoded("dtstart") == STARTS + timedelta(days=2)


def test_a_cancelled_session_cancels_the_event() -> None:
    calendar, event = parse(invite(sequence=2, cancelled=True))
    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert str(event["uid"]) == UID and int(event["sequence"]) == 2


def test_dtstamp_defaults_to_the_current_time() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _, event = parse(invite(now=None))
    assert before <= event.decoded("dtstamp") <= datetime.now(UTC)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"starts_at": datetime(2026, 12, 1, 15, 0)}, "naive"),  # noqa: DTZ001
        ({"minutes": 0}, "at least a minute"),
        ({"uid": " "}, "UID"),
        ({"sequence": -1}, "SEQUENCE"),
    ],
)
def test_an_invite_that_would_mislead_calendars_is_refused(overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        invite(**overrides)


@pytest.mark.needs_contract
def test_an_invite_reaches_a_dm_as_an_ics_file(slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    data = invite()
    share(
        client,
        channel="D0MENTEE",
        uploads=[Upload("reverse-mentoring.ics", data, "Reverse mentoring session")],
        comment="Your next session, for your calendar.",
    )
    shared = slack.wait_for_file(lambda f: f.channel == "D0MENTEE")
    assert shared.filename == "reverse-mentoring.ics"
    assert shared.content == data
    assert shared.title == "Reverse mentoring session"
    assert shared.initial_comment == "Your next session, for your calendar."
    _, event = parse(shared.content)
    assert str(event["uid"]) == UID
    assert [c.method for c in slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
