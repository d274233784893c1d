"""Hostile text in every free-text field and every sub-command argument.

For each field: what was typed is stored as typed (read back from the database), after the one
inbound rule (NUL removed, unpaired surrogates replaced: bot/handlers/inbound.py); text longer
than the field's limit is refused inline on that field, never truncated. Everything the bot then
sends to Slack (API calls, response_url posts and its own HTTP answers) shows it escaped or as
plain_text: no mention, broadcast or link typed by a person is ever live.

The whole corpus goes through the sign-up, program, goals, agenda and check-in forms and the
sub-command name; a compact subset through every other field and argument.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from slack_sdk import WebClient
from sqlalchemy import delete, select

from bot.jobs import JobContext
from bot.jobs.digests import queue_digests
from bot.jobs.dispatcher import dispatch
from bot.services.agreements import BOUNDARIES_LENGTH, GOAL_TEXT_LENGTH, MEETING_MODE_LENGTH
from bot.services.checkins import TEXT_LIMITS
from bot.services.concerns import TEXT_LENGTH as CONCERN_LENGTH
from bot.services.programs import NAME_LENGTH
from bot.services.sessions import AGENDA_LENGTH, REASON_LENGTH
from models import (
    Agreement,
    CheckIn,
    Concern,
    Goal,
    MatchExclusion,
    MentoringSession,
    Participant,
    Program,
)
from models.enums import Cadence
from models.participant import TEXT_FIELD_LENGTH
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.contract import check_blocks
from tests.factories import (
    BOOKED_AT,
    INTRO_CHANNEL,
    MENTEE_USER,
    MENTOR_USER,
    STARTS,
    SeededPair,
    seed_pair,
)
from tests.flows import (
    MENTEE_FORM,
    MENTEE_INPUTS,
    MENTOR_FORM,
    MENTOR_INPUTS,
    PROGRAM_ENDS,
    click_in_view,
    filled,
    intro,
    open_form,
    open_from,
    run_scheduler,
    sign_up,
)
from tests.hostile import (
    COMPACT,
    CORPUS,
    ESCAPED_CHANNEL,
    LIVE_SEQUENCES,
    TRACEBACK,
    assert_nothing_live,
    fits,
    params,
    sent_text,
    stored,
)

pytestmark = pytest.mark.needs_contract

USER = "U0ALICE"


def pair(bot: RunningBot, **kwargs: Any) -> SeededPair:
    """A published pair, without the seeded profile's exclusion of U0BOSS: any `<@U0BOSS>`
    in what the bot sends can then only have come from hostile text."""
    seeded = seed_pair(bot.session_factory, **kwargs)
    with bot.session_factory.begin() as s:
        s.execute(delete(MatchExclusion))
        program = s.get_one(Program, seeded.program_id)
        # What the goals form needs.
        program.cadence, program.ends_on = Cadence.MONTHLY, PROGRAM_ENDS
    return seeded


def opened_view(bot: RunningBot, before: int) -> dict[str, Any]:
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]]


def refused(answer: Any) -> dict[str, str]:
    body = answer.json()
    assert body["response_action"] == "errors", body
    errors: dict[str, str] = body["errors"]
    return errors


def assert_shown_escaped(bot: RunningBot, value: str, answers: list[Any]) -> None:
    """The corpus' mention line reached Slack, escaped (not silently dropped)."""
    if value == CORPUS["mentions"]:
        assert ESCAPED_CHANNEL in sent_text(bot, answers)
    if value == CORPUS["pre_escaped"]:
        # Typed entities are text too: escaped again, so they read as typed.
        assert "&amp;lt;!channel&amp;gt;" in sent_text(bot, answers)


# -- sign-up: job title, department, location (the whole corpus) ---------------------------------


@pytest.mark.parametrize("value", params())
def test_sign_up_text_is_stored_as_typed_and_echoed_escaped(bot: RunningBot, value: str) -> None:
    bot.slack.add_user(USER)
    form = {**MENTOR_FORM, "job_title": value, "department": value, "location": value}
    answer = sign_up(bot, USER, form)
    answers = [answer]
    if not fits(value, TEXT_FIELD_LENGTH):
        errors = refused(answer)
        for field in ("job_title", "department", "location"):
            assert f"under {TEXT_FIELD_LENGTH} characters" in errors[field]
        with bot.session_factory() as s:
            assert s.scalars(select(Participant)).all() == []
    else:
        assert answer.status_code == 200 and not answer.content
        bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == USER)
        with bot.session_factory() as s:
            person = s.scalars(select(Participant)).one()
            assert (person.job_title, person.department, person.location) == (stored(value),) * 3
        answers.append(bot.driver.command(USER, "status"))
        # The profile form comes back pre-filled with exactly what was stored, as plain text.
        profile = open_form(bot, USER, "profile")
        initial = {
            b["block_id"]: b["element"].get("initial_value")
            for b in profile["blocks"]
            if b["type"] == "input"
        }
        assert initial["department"] == stored(value)
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


def test_do_not_match_takes_only_slack_user_ids(bot: RunningBot) -> None:
    view = open_form(bot, USER)
    people = ["<!channel>", "U0BOSS|boss", "<@U0BOSS>"]
    inputs = {**MENTOR_FORM, "learn_topics": [], "do_not_match": people}
    answer = bot.driver.submit_view(USER, view, inputs)
    assert refused(answer)["do_not_match"] == "Please choose people from the list."
    assert_nothing_live(bot, [answer])


# -- the program's name (the whole corpus) -------------------------------------------------------


def create_program(bot: RunningBot, name: str) -> Any:
    before = len(bot.slack.calls_to("views.open"))
    assert bot.driver.command(COORDINATOR, "program new").status_code == 200
    view = opened_view(bot, before)
    return bot.driver.submit_view(COORDINATOR, view, {"name": name})


@pytest.mark.parametrize("value", params())
def test_program_name_is_stored_as_typed_and_echoed_escaped(bot: RunningBot, value: str) -> None:
    answer = create_program(bot, value)
    answers = [answer]
    if not fits(value, NAME_LENGTH):
        assert f"under {NAME_LENGTH} characters" in refused(answer)["name"]
        with bot.session_factory() as s:
            assert s.scalars(select(Program)).all() == []
    else:
        assert answer.status_code == 200 and not answer.content
        bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
        with bot.session_factory() as s:
            assert s.scalars(select(Program.name)).one() == stored(value)
        answers.append(bot.driver.command(COORDINATOR, "program list"))
        answers.append(bot.driver.command(COORDINATOR, "stats"))
        bot.slack.wait_for_response()
        bot.slack.wait_for("views.publish", lambda c: c.args["user_id"] == COORDINATOR)
        # Someone joining sees the name in the form's introduction and the confirmation.
        bot.slack.add_user(USER)
        assert sign_up(bot, USER, MENTOR_FORM).status_code == 200
        bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == USER)
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


@pytest.mark.parametrize("value", params(n for n in COMPACT if fits(CORPUS[n], NAME_LENGTH)))
def test_program_name_in_every_coordinator_output(bot: RunningBot, value: str) -> None:
    """Status, leaving, digest, export, charts, matching and the introduction, by name."""
    bot.slack.add_user(COORDINATOR, tz="America/New_York")
    assert create_program(bot, value).status_code == 200
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
    for user, form in (("U0MIA", MENTOR_FORM), ("U0EVA", MENTEE_FORM), (USER, MENTOR_FORM)):
        bot.slack.add_user(user)
        assert sign_up(bot, user, form).status_code == 200
        bot.slack.wait_for("chat.postMessage", lambda c, u=user: c.args["channel"] == u)
    answers = [bot.driver.command(USER, "status"), bot.driver.command(USER, "leave")]

    # The program named by the (Slack-escaped) name it was given, as a coordinator types it.
    typed = stored(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    answers.append(bot.driver.command(COORDINATOR, f"stats {typed}"))
    report = bot.slack.wait_for_response()
    assert "Program report" in json.dumps(report)
    answers.append(bot.driver.command(COORDINATOR, f"export {typed}"))
    participants = bot.slack.wait_for_file(lambda f: f.filename == "participants.csv")
    assert participants.title is not None and stored(value) in participants.title
    # Nothing to chart yet: said privately, with the name escaped.
    answers.append(bot.driver.command(COORDINATOR, f"stats chart {typed}"))
    assert "Nothing to chart" in answers[-1].json()["text"]
    answers.append(bot.driver.command(COORDINATOR, "digest on"))
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    monday = BOOKED_AT + timedelta(days=10)  # Monday 30 Nov, 09:00 in New York
    queue_digests(JobContext(bot.settings, bot.session_factory, client, monday))
    dispatch(bot.session_factory, client, now=monday)
    assert any("Weekly digest" in c.args["text"] for c in bot.slack.dms_to(COORDINATOR))

    # Matching: the review shows the name; publishing introduces the pair by it.
    before = len(bot.slack.calls_to("views.open"))
    answers.append(bot.driver.command(COORDINATOR, "match"))
    review = filled(bot, opened_view(bot, before)["id"])
    click_in_view(bot, review, "match_publish", type="button")
    run_scheduler(bot, until_quiet=False)
    bot.slack.wait_for("chat.postMessage", lambda c: "Meet your" in c.args.get("text", ""))
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


def test_a_program_name_with_dollar_signs_is_charted_as_text(bot: RunningBot) -> None:
    """matplotlib reads `$...$` as TeX; a name is drawn as typed, and drawing cannot fail."""
    from bot.charts import sessions_chart, skill_growth_chart
    from bot.services.chart_data import TopicGrowth, WeekCounts

    name = r"Budget $\frac{1}{$ and $x^{$ <!channel>"
    weeks = [WeekCounts(STARTS.date(), 2, 1, 0)]
    growth = [TopicGrowth("generative_ai", 5, 2.0, 3.5, False)]
    assert sessions_chart(weeks, program_name=name).startswith(b"\x89PNG")
    assert skill_growth_chart(growth, program_name=name).startswith(b"\x89PNG")


# -- matching: profile text in reasons (compact) -------------------------------------------------


@pytest.mark.parametrize("value", params(n for n in COMPACT if fits(CORPUS[n], TEXT_FIELD_LENGTH)))
def test_profile_text_in_match_reasons_is_escaped(bot: RunningBot, value: str) -> None:
    hostile = {"job_title": value, "department": value, "location": value}
    # Pairs cross departments: the mentee's is a plain one.
    forms = {"U0MIA": {**MENTOR_FORM, **hostile}, "U0EVA": {**MENTEE_FORM, **hostile}}
    forms["U0EVA"]["department"] = "Finance"
    for user, form in forms.items():
        bot.slack.add_user(user)
        sign_up(bot, user, form)
        bot.slack.wait_for("chat.postMessage", lambda c, u=user: c.args["channel"] == u)
    before = len(bot.slack.calls_to("views.open"))
    answers = [bot.driver.command(COORDINATOR, "match")]
    review = filled(bot, opened_view(bot, before)["id"])
    assert any(b.get("block_id", "").startswith("pair:") for b in review["blocks"])
    answers.append(bot.driver.command(COORDINATOR, "export"))
    participants = bot.slack.wait_for_file(lambda f: f.filename == "participants.csv")
    cells = [
        cell
        for row in csv.reader(io.StringIO((participants.content or b"").decode("utf-8-sig")))
        for cell in row
    ]
    # A spreadsheet would run a cell that starts like a formula: the export defuses it.
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells if stored(value) in cell)
    assert_nothing_live(bot, answers)


# -- goals and ground rules: goal text, meeting mode, boundaries (the whole corpus) --------------


@pytest.fixture
def seeded(bot: RunningBot) -> SeededPair:
    seeded = pair(bot)
    for user in (MENTOR_USER, MENTEE_USER):
        bot.slack.add_user(user)
    return seeded


@pytest.mark.parametrize("value", params())
def test_goals_and_ground_rules_are_stored_as_typed_and_echoed_escaped(
    bot: RunningBot, seeded: SeededPair, value: str
) -> None:
    message = intro(bot, seeded)
    view = open_from(bot, MENTOR_USER, message)
    inputs = {**MENTOR_INPUTS, "goal_text:0": value, "meeting_mode": value, "boundaries": value}
    answer = bot.driver.submit_view(MENTOR_USER, view, inputs)
    answers = [answer]
    limits = {
        "goal_text:0": GOAL_TEXT_LENGTH,
        "meeting_mode": MEETING_MODE_LENGTH,
        "boundaries": BOUNDARIES_LENGTH,
    }
    too_long = {field for field, limit in limits.items() if not fits(value, limit)}
    if too_long:
        errors = refused(answer)
        assert set(errors) == too_long
        assert all(f"under {limits[f]} characters" in errors[f] for f in too_long)
        with bot.session_factory() as s:
            assert s.scalars(select(Goal)).all() == []
    else:
        assert answer.json()["response_action"] == "update"
        with bot.session_factory() as s:
            assert s.scalars(select(Goal.text)).one() == stored(value)
            agreement = s.scalars(select(Agreement)).one()
            assert agreement.meeting_mode == stored(value)
            assert agreement.boundaries == stored(value)
        # The mentee is told, opens the form (the rules pre-filled as plain text), agrees.
        turn = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == MENTEE_USER)
        mentee_view = open_from(
            bot, MENTEE_USER, turn[0].response["message"], turn[0].response["channel"]
        )
        answers.append(bot.driver.submit_view(MENTEE_USER, mentee_view, MENTEE_INPUTS))
        [summary] = bot.slack.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL
        )
        assert summary.ok  # every section within Slack's limits, however long once escaped
        listing = bot.driver.command(MENTOR_USER, "goals")
        answers.append(listing)
        with bot.session_factory() as s:
            goal_id = s.scalars(select(Goal.id).where(Goal.text == stored(value))).one()
        menu = {
            "type": "block_actions",
            "team": {"id": bot.slack.team_id},
            "user": {"id": MENTOR_USER, "team_id": bot.slack.team_id},
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0MENTOR"},
            "channel": {"id": "D0MENTOR"},
            "message": {"ts": "1.2", "text": "goals"},
            "response_url": bot.slack.response_url("goals"),
            "trigger_id": "1.2.3",
            "actions": [
                {
                    "type": "overflow",
                    "action_id": "goal_menu",
                    "block_id": f"goal:{goal_id}",
                    "selected_option": {"value": f"achieved:{goal_id}"},
                    "action_ts": "1.0",
                }
            ],
        }
        answers.append(bot.driver.interactive(menu))
        bot.slack.wait_for_response()
        bot.slack.wait_for("chat.postMessage", lambda c: "achieved" in c.args["text"])
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


# -- sessions: agenda (the whole corpus), cancellation reason (compact) --------------------------


def schedule(bot: RunningBot, user: str, agenda: str) -> Any:
    before = len(bot.slack.calls_to("views.open"))
    assert bot.driver.command(user, "schedule").status_code == 200
    view = opened_view(bot, before)
    inputs = {"day": "2026-11-24", "clock": "15:00", "minutes": "45", "agenda": agenda}
    return bot.driver.submit_view(user, view, inputs)


def booked_session(bot: RunningBot) -> int:
    """A published pair whose reverse mentor booked a session through the form; its id."""
    pair(bot, now=BOOKED_AT - timedelta(days=7))
    bot.clock.set(BOOKED_AT)
    assert schedule(bot, MENTOR_USER, "").status_code == 200
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL)
    with bot.session_factory() as s:
        return s.scalars(select(MentoringSession.id)).one()


@pytest.mark.parametrize("value", params())
def test_agenda_is_stored_as_typed_and_echoed_escaped(bot: RunningBot, value: str) -> None:
    pair(bot, now=BOOKED_AT - timedelta(days=7))
    bot.clock.set(BOOKED_AT)
    answer = schedule(bot, MENTOR_USER, value)
    answers = [answer]
    if not fits(value, AGENDA_LENGTH):
        assert f"under {AGENDA_LENGTH} characters" in refused(answer)["agenda"]
        with bot.session_factory() as s:
            assert s.scalars(select(MentoringSession)).all() == []
    else:
        assert answer.status_code == 200 and not answer.content
        [posted] = bot.slack.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL
        )
        with bot.session_factory() as s:
            session = s.scalars(select(MentoringSession)).one()
            assert session.agenda == stored(value)
        invite = bot.slack.wait_for_file(lambda f: f.channel == INTRO_CHANNEL)
        event = Calendar.from_ical(invite.content).walk("VEVENT")[0]
        assert str(event["DESCRIPTION"]) == stored(value).replace("\r", "")
        # The reminder the day before carries the agenda too.
        client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
        dispatch(bot.session_factory, client, now=STARTS - timedelta(hours=24))
        assert any(c.args["text"].startswith("Reminder") for c in bot.slack.dms_to(MENTOR_USER))
        # Moving it: the form comes back with the agenda as plain text.
        before = len(bot.slack.calls_to("views.open"))
        answers.append(
            bot.driver.block_action(
                MENTEE_USER,
                "move_session",
                value=str(session.id),
                message={"ts": posted.response["ts"], "channel": INTRO_CHANNEL},
                channel_id=INTRO_CHANNEL,
            )
        )
        move = opened_view(bot, before)
        agenda = next(b for b in move["blocks"] if b.get("block_id") == "agenda")
        assert agenda["element"]["initial_value"] == stored(value)
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


@pytest.mark.parametrize("value", params(COMPACT))
def test_cancellation_reason_is_stored_as_typed_and_echoed_escaped(
    bot: RunningBot, value: str
) -> None:
    session_id = booked_session(bot)
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(MENTOR_USER, "cancel_session", value=str(session_id))
    form = opened_view(bot, before)
    answer = bot.driver.submit_view(MENTOR_USER, form, {"reason": value})
    with bot.session_factory() as s:
        session = s.get_one(MentoringSession, session_id)
        if not fits(value, REASON_LENGTH):
            assert f"under {REASON_LENGTH} characters" in refused(answer)["reason"]
            assert session.status.value == "scheduled"
        else:
            assert answer.status_code == 200
            assert session.cancel_reason == stored(value)
    if fits(value, REASON_LENGTH):
        bot.slack.wait_for("chat.postMessage", lambda c: "cancelled the session" in c.args["text"])
    assert_nothing_live(bot, [answer])
    assert_shown_escaped(bot, value, [answer])


# -- check-in: what I learned, the private note, the follow-up (the whole corpus) ----------------


@pytest.mark.parametrize("value", params())
def test_check_in_text_is_stored_as_typed_and_the_private_note_stays_private(
    bot: RunningBot, value: str
) -> None:
    session_id = booked_session(bot)
    bot.clock.set(STARTS + timedelta(hours=1))
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(MENTOR_USER, "checkin_happened", value=str(session_id))
    form = opened_view(bot, before)
    private = f"PRIVATE-NOTE {value}"
    texts = {"learned": value, "private_note": private, "follow_up": value}
    answer = bot.driver.submit_view(MENTOR_USER, form, {"rating": "4", **texts})
    answers = [answer]
    too_long = {f for f, text in texts.items() if not fits(text, TEXT_LIMITS[f])}
    if too_long:
        errors = refused(answer)
        assert set(errors) == too_long
        assert all(f"under {TEXT_LIMITS[f]} characters" in errors[f] for f in too_long)
        with bot.session_factory() as s:
            assert s.scalars(select(CheckIn)).all() == []
    else:
        assert answer.status_code == 200
        bot.slack.wait_for("chat.postMessage", lambda c: "Follow-up" in c.args["text"])
        bot.slack.wait_for("chat.postMessage", lambda c: c.args["text"].startswith("Thanks"))
        with bot.session_factory() as s:
            checkin = s.scalars(select(CheckIn)).one()
            assert checkin.learned == stored(value)
            assert checkin.private_note == stored(private)
            assert checkin.follow_up == stored(value)
        assert "PRIVATE-NOTE" not in sent_text(bot, answers)
        notes = bot.driver.command(MENTOR_USER, "notes")
        assert "PRIVATE-NOTE" in notes.json()["text"]  # its author alone reads it back
        answers.append(notes)
        assert "PRIVATE-NOTE" not in bot.driver.command(MENTEE_USER, "notes").text
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


# -- a concern (compact) -------------------------------------------------------------------------


@pytest.mark.parametrize("value", params(COMPACT))
def test_concern_is_stored_as_typed_and_echoed_escaped(bot: RunningBot, value: str) -> None:
    pair(bot)
    view = open_form(bot, MENTOR_USER, "concern")
    answer = bot.driver.submit_view(MENTOR_USER, view, {"concern_text": value})
    answers = [answer]
    if not fits(value, CONCERN_LENGTH):
        assert f"under {CONCERN_LENGTH} characters" in refused(answer)["concern_text"]
    else:
        assert answer.status_code == 200
        [dm] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
        with bot.session_factory() as s:
            assert s.scalars(select(Concern.text)).one() == stored(value)
        button = next(
            e for b in dm.blocks if b["type"] == "actions" for e in b["elements"] if e["value"]
        )
        click = {
            "type": "block_actions",
            "team": {"id": bot.slack.team_id},
            "user": {"id": COORDINATOR, "team_id": bot.slack.team_id},
            "container": {
                "type": "message",
                "message_ts": dm.response["ts"],
                "channel_id": dm.response["channel"],
            },
            "channel": {"id": dm.response["channel"]},
            "message": dm.response["message"],
            "trigger_id": "1.2.3",
            "actions": [
                {
                    "type": "button",
                    "action_id": "acknowledge_concern",
                    "block_id": "concern_acknowledge",
                    "value": button["value"],
                    "action_ts": "1.0",
                }
            ],
        }
        answers.append(bot.driver.interactive(click))
        bot.slack.wait_for("chat.update")
        bot.slack.wait_for("chat.postMessage", lambda c: "has read the concern" in c.args["text"])
    assert_nothing_live(bot, answers)
    assert_shown_escaped(bot, value, answers)


# -- sub-commands and their arguments ------------------------------------------------------------


# A form-encoded body (UTF-8) cannot carry an unpaired surrogate: Slack's JSON payloads can.
@pytest.mark.parametrize("value", params(n for n in CORPUS if n != "lone_surrogate"))
def test_an_unknown_sub_command_is_named_back_escaped(bot: RunningBot, value: str) -> None:
    answer = bot.driver.command(USER, value)
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert_nothing_live(bot, [answer])
    if value == CORPUS["mentions"]:
        assert "I don't know `hi`" in sent_text(bot, [answer])


SUB_COMMANDS = [
    "help",
    "join",
    "profile",
    "status",
    "pause",
    "resume",
    "coordinators add",
    "coordinators remove",
    "coordinators",
    "program",
    "poll",
    "match forbid",
    "end-pair",
    "rematch",
    "swap",
    "match",
    "goals",
    "notes",
    "schedule",
    "concern",
    "stats",
    "stats chart",
    "digest",
    "export",
    "leave",
    "forget-me",
]
# Arguments whose point is to name someone or somewhere: a mention there is meant.
MEANT = {
    "coordinators add": "<@U0BOSS>",
    "coordinators remove": "<@U0BOSS>",
    "poll": "<#C0GENERAL>",
    "end-pair": "<@U0BOSS>",
    "rematch": "<@U0BOSS>",
    "swap": "<@U0BOSS>",
}


@pytest.mark.parametrize("sub_command", SUB_COMMANDS)
def test_every_sub_command_takes_hostile_arguments_politely(
    bot: RunningBot, sub_command: str
) -> None:
    pair(bot)
    for user in (MENTOR_USER, COORDINATOR):
        bot.slack.add_user(user)
    answers = []
    for name in COMPACT:
        for user in (MENTOR_USER, COORDINATOR):
            answer = bot.driver.command(user, f"{sub_command} {CORPUS[name]}")
            assert answer.status_code == 200, (sub_command, name, answer.text)
            assert not TRACEBACK.search(answer.text)
            answers.append(answer)
    # Every listener was handed over before its answer; shutting their pool down waits for
    # what they do after it (a report, an upload, a solve in the background) to land.
    bot.app.listener_runner.listener_executor.shutdown(wait=True)
    forbidden = tuple(s for s in LIVE_SEQUENCES if s != MEANT.get(sub_command))
    assert_nothing_live(bot, answers, forbidden)
    for note in bot.slack.responses:
        assert not TRACEBACK.search(json.dumps(note))
    apologies = [a.text for a in answers if "went wrong on our side" in a.text]
    assert apologies == [], apologies


@pytest.mark.parametrize("weeks", ["²", "٣", "99999999999999999999", "-1", "0", "+2", "3.5"])
def test_pause_with_a_number_it_cannot_use_says_what_it_takes(bot: RunningBot, weeks: str) -> None:
    pair(bot)
    answer = bot.driver.command(MENTOR_USER, f"pause {weeks}")
    assert "weeks" in answer.json()["text"] and "went wrong" not in answer.text
    with bot.session_factory() as s:
        assert all(p.paused_until is None for p in s.scalars(select(Participant)))


def test_a_nul_typed_anywhere_is_dropped_before_the_database(bot: RunningBot) -> None:
    """Postgres refuses NUL in text; the inbound rule removes it, on every backend alike."""
    pair(bot)
    view = open_form(bot, MENTOR_USER, "concern")
    answer = bot.driver.submit_view(MENTOR_USER, view, {"concern_text": "a\x00b <!here>\x00"})
    assert answer.status_code == 200
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
    with bot.session_factory() as s:
        assert s.scalars(select(Concern.text)).one() == "ab <!here>"
    # In a command's text too (a form-encoded %00).
    named = bot.driver.command(COORDINATOR, "stats no\x00such")
    assert "no program called “nosuch”" in named.json()["text"]
    assert_nothing_live(bot, [answer, named])


# -- text at its field's limit, made of the characters escaping lengthens ------------------------


def widest(limit: int) -> str:
    """`limit` characters that escape to about four times as many (`<` becomes `&lt;`)."""
    return ("<&>" * limit)[:limit]


def test_goals_at_their_limits_still_reach_slack_within_its_limits(
    bot: RunningBot, seeded: SeededPair
) -> None:
    message = intro(bot, seeded)
    rows = {f"goal_text:{row}": widest(GOAL_TEXT_LENGTH) for row in range(3)}
    rules = {"meeting_mode": widest(MEETING_MODE_LENGTH), "boundaries": widest(BOUNDARIES_LENGTH)}
    mentor = {**MENTOR_INPUTS, **rows, **rules}
    assert bot.driver.submit_view(MENTOR_USER, open_from(bot, MENTOR_USER, message), mentor)
    topics = {"goal_topic:1": "social_media", "goal_topic:2": "data_analytics"}
    mentee = {**MENTEE_INPUTS, **rows, **topics, **rules}
    answer = bot.driver.submit_view(MENTEE_USER, open_from(bot, MENTEE_USER, message), mentee)
    assert answer.json()["response_action"] == "update"
    # One summary, accepted by Slack: three goals a side, escaped, split over sections.
    [summary] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL)
    assert all(len(b["text"]["text"]) <= 3000 for b in summary.blocks if b["type"] == "section")
    listing = bot.driver.command(MENTOR_USER, "goals").json()
    assert check_blocks(listing["blocks"]) == []
    assert_nothing_live(bot, [answer])


def test_an_agenda_at_its_limit_still_reaches_slack_within_its_limits(bot: RunningBot) -> None:
    pair(bot, now=BOOKED_AT - timedelta(days=7))
    bot.clock.set(BOOKED_AT)
    assert schedule(bot, MENTOR_USER, widest(AGENDA_LENGTH)).status_code == 200
    [confirmation] = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL
    )
    assert len([b for b in confirmation.blocks if b["type"] == "section"]) > 1
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    dispatch(bot.session_factory, client, now=STARTS - timedelta(hours=24))
    [reminder] = [c for c in bot.slack.dms_to(MENTOR_USER) if c.args["text"].startswith("Remind")]
    assert reminder.ok and "&lt;&amp;&gt;" in json.dumps(reminder.blocks)
    assert_nothing_live(bot)
