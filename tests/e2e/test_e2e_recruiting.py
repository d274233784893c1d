"""Recruiting end to end: coordinators, programs, interest polls, participants in control."""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

import models
from bot.services.pairs import create_pair
from models import Coordinator, Pair, Participant, Poll, PollTopicVote, PollVote, Program
from models.enums import PairStatus, ParticipantStatus, PollAnswer, PollStatus, ProgramStatus
from tests.conftest import COORDINATOR, RunningBot
from tests.fakeslack import ApiCall
from tests.flows import MENTEE_FORM, MENTOR_FORM, sign_up
from tests.support import ephemeral_text, eventually

pytestmark = pytest.mark.needs_contract
POLL_CHANNEL = "C0POLLS"


def count(bot: RunningBot, model: type) -> int:
    with bot.session_factory() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def post_poll(bot: RunningBot) -> ApiCall:
    response = bot.driver.command(COORDINATOR, f"poll <#{POLL_CHANNEL}|polls>")
    assert response.status_code == 200
    posted = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == POLL_CHANNEL)
    assert "Poll posted in <#C0POLLS>" in bot.slack.wait_for_response()["text"]
    return posted[0]


def click_vote(bot: RunningBot, poll_post: ApiCall, user: str, answer: str):
    message = {**poll_post.response["message"], "channel": POLL_CHANNEL}
    poll_id = int(json.dumps(poll_post.blocks).split('"value": "')[1].split(":")[0])
    return bot.driver.block_action(
        user,
        f"poll_vote_{answer}",
        value=f"{poll_id}:{answer}",
        block_id=f"poll_answers:{poll_id}",
        message=message,
        channel_id=POLL_CHANNEL,
        container={
            "type": "message",
            "message_ts": poll_post.response["ts"],
            "channel_id": POLL_CHANNEL,
            "is_ephemeral": False,
        },
    )


def command_opening_view(bot: RunningBot, user: str, command: str) -> dict:
    before = len(bot.slack.calls_to("views.open"))
    assert bot.driver.command(user, command).status_code == 200
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]]


def sign_up_and_wait(bot: RunningBot, user: str, form: dict) -> None:
    sign_up(bot, user, form)
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == user)


# -- coordinators only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "poll <#C0POLLS|polls>",
        "poll close",
        "program",
        "program new",
        "program list",
        "coordinators add <@U0EVE|eve>",
        "coordinators list",
    ],
)
def test_non_coordinators_are_refused_politely_and_nothing_changes(
    bot: RunningBot, command: str
) -> None:
    bot.slack.add_user("U0EVE")  # an ordinary member: not admin, not listed
    response = bot.driver.command("U0EVE", command)
    assert response.status_code == 200
    assert "only program coordinators" in ephemeral_text(response)
    assert bot.slack.calls_to("chat.postMessage") == []
    assert bot.slack.calls_to("views.open") == []
    assert count(bot, Poll) == count(bot, Coordinator) == count(bot, Program) == 0


def test_coordinators_add_list_remove_and_admins_count(bot: RunningBot) -> None:
    bot.slack.add_user("U0ADMIN", is_admin=True)
    bot.slack.add_user("U0NEW")
    # A workspace admin is a coordinator without being listed.
    added = bot.driver.command("U0ADMIN", "coordinators add <@U0NEW|new>")
    assert "<@U0NEW> added" in ephemeral_text(added)
    listing = ephemeral_text(bot.driver.command("U0NEW", "coordinators list"))
    assert "<@U0COORD>" in listing and "<@U0NEW>" in listing
    # The configured coordinator cannot be removed from Slack; the added one can.
    refused = ephemeral_text(bot.driver.command("U0NEW", "coordinators remove <@U0COORD|c>"))
    assert "MENTORBOT_COORDINATORS" in refused
    removed = bot.driver.command(COORDINATOR, "coordinators remove <@U0NEW|new>")
    assert "removed" in ephemeral_text(removed)
    assert "only program coordinators" in ephemeral_text(bot.driver.command("U0NEW", "poll close"))


# -- programs ------------------------------------------------------------------------------------


def test_coordinator_creates_a_program_which_replaces_the_open_one(bot: RunningBot) -> None:
    sign_up_and_wait(bot, "U0ALICE", MENTOR_FORM)  # creates the default program
    view = command_opening_view(bot, COORDINATOR, "program new")
    assert view["title"]["text"] == "New program"

    bad = bot.driver.submit_view(
        COORDINATOR,
        view,
        {"name": "Spring cohort", "starts_on": "2027-03-01", "ends_on": "2027-02-01"},
    )
    assert bad.json()["errors"].keys() == {"ends_on"}

    inputs = {
        "name": "Spring cohort",
        "starts_on": "2027-03-01",
        "ends_on": "2027-07-01",
        "cadence": "monthly",
        "session_minutes": "60",
        "planned_sessions": "5",
        "announcement_channel": "C0ANNOUNCE",
    }
    with ThreadPoolExecutor(2) as pool:  # a double-clicked Create
        results = list(
            pool.map(lambda _: bot.driver.submit_view(COORDINATOR, view, inputs), [1, 2])
        )
    assert [r.status_code for r in results] == [200, 200]
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
    with bot.session_factory() as s:
        programs = {p.name: p for p in s.scalars(select(Program))}
    assert set(programs) == {"Reverse mentoring 2026", "Spring cohort"}
    spring = programs["Spring cohort"]
    assert (spring.status, spring.cadence, spring.session_minutes, spring.planned_sessions) == (
        ProgramStatus.OPEN,
        "monthly",
        60,
        5,
    )
    assert spring.announcement_channel == "C0ANNOUNCE"
    assert programs["Reverse mentoring 2026"].status == ProgramStatus.CLOSED

    listing = ephemeral_text(bot.driver.command(COORDINATOR, "program list"))
    assert (
        "Spring cohort* (open, sign-up open, 2027-03-01 to 2027-07-01): 0 participants" in listing
    )
    assert "Reverse mentoring 2026* (closed, sign-up closed): 1 participants" in listing
    # join now enrols into the new program
    sign_up_and_wait(bot, "U0BOB", MENTEE_FORM)
    with bot.session_factory() as s:
        bob = s.scalars(select(Participant).where(Participant.slack_user_id == "U0BOB")).one()
        assert bob.program_id == spring.id


def test_closing_sign_up_stops_newcomers_joining(bot: RunningBot) -> None:
    view = command_opening_view(bot, COORDINATOR, "program")
    bot.driver.submit_view(COORDINATOR, view, {"signup_open": "closed"})
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
    bot.driver.command("U0LATE", "join")
    refused = bot.slack.wait_for_response()
    assert "closed" in refused["text"] and refused["response_type"] == "ephemeral"
    assert len(bot.slack.calls_to("views.open")) == 1


# -- interest polls ----------------------------------------------------------------------------


def test_poll_tallies_thirty_votes_from_twenty_people_without_naming_anyone(
    bot: RunningBot,
) -> None:
    poll_post = post_poll(bot)
    assert "Would you take part" in poll_post.args["text"]
    buttons = [
        e["text"]["text"] for b in poll_post.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["I'd mentor", "I'd like a mentor", "Tell me more", "Not for me"]

    rng = random.Random(7)
    voters = [f"U0V{i:03d}" for i in range(20)]
    answers = ["mentor", "mentee", "more", "no"]
    votes = [(v, rng.choice(answers)) for v in voters]
    votes += [(v, rng.choice(answers)) for v in rng.sample(voters, 10)]  # changes of mind
    final = dict(votes)  # the last answer of each person counts
    # Changes of mind come after first answers; within each wave, votes arrive concurrently.
    for counted, wave in ((20, votes[:20]), (30, votes[20:])):
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda v: click_vote(bot, poll_post, *v), wave))
        assert all(r.status_code == 200 for r in responses)
        # Each vote is receipted privately once counted: wait for the whole wave.
        bot.slack.wait_for_response(count=1 + counted)  # after the "Poll posted" note
    expected = {a: sum(1 for x in final.values() if x == a) for a in answers}

    with bot.session_factory() as s:
        stored = dict(s.execute(select(PollVote.slack_user_id, PollVote.answer)).all())
    assert stored == {u: PollAnswer(a) for u, a in final.items()}

    # Every vote's update has reached Slack; the last one shows the final counts.
    def shows_final(call: ApiCall) -> bool:
        return all(
            f"{label}* {expected[a]}" in json.dumps(call.blocks)
            for a, label in zip(
                answers,
                ["I'd mentor", "I'd like a mentor", "Tell me more", "Not for me"],
                strict=True,
            )
        )

    # The message is rewritten after the votes are counted and receipted, in the order the
    # counts were read: it ends on the final counts. (Counts seen on the way can equal them.)
    eventually(lambda: shows_final(bot.slack.calls_to("chat.update")[-1]), ignoring=(IndexError,))
    # No rewrite still under way takes it back to counts seen on the way.
    bot.slack.assert_no_call(
        "chat.update", since=len(bot.slack.calls), within=0.3, where=lambda c: not shows_final(c)
    )
    last = bot.slack.calls_to("chat.update")[-1]
    assert shows_final(last), json.dumps(last.blocks)
    assert "20 people answered" in json.dumps(last.blocks)
    for update in bot.slack.calls_to("chat.update"):
        assert update.args["ts"] == poll_post.response["ts"]
        assert not any(v in json.dumps(update.args) for v in voters), "a voter is named"


def test_votes_while_slack_is_slow_to_update_the_poll_are_not_held_up_and_all_shown(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    poll_post = post_poll(bot)
    update = bot.slack._answer_chat_update
    release, updating = threading.Event(), threading.Event()

    def slow_update(args: dict[str, Any]) -> dict[str, Any]:
        updating.set()
        release.wait(10)
        return update(args)

    monkeypatch.setattr(bot.slack, "_answer_chat_update", slow_update)
    voters = [f"U0S{i:02d}" for i in range(10)]
    try:
        click_vote(bot, poll_post, voters[0], "no")
        assert updating.wait(5)  # the first vote's rewrite of the message waits on Slack
        with ThreadPoolExecutor(len(voters) - 1) as pool:
            clicks = list(pool.map(lambda v: click_vote(bot, poll_post, v, "more"), voters[1:]))
        assert all(c.status_code == 200 for c in clicks)
        # Every vote is counted and receipted meanwhile: none waits on another's call to Slack.
        bot.slack.wait_for_response(count=1 + len(voters))
        assert count(bot, PollVote) == len(voters)
    finally:
        release.set()
    final = bot.slack.wait_for("chat.update", lambda c: "Tell me more* 9" in json.dumps(c.blocks))
    assert "10 people answered" in json.dumps(final[0].blocks)
    # No rewrite still under way takes it back to fewer votes.
    bot.slack.assert_no_call(
        "chat.update",
        since=len(bot.slack.calls),
        within=0.3,
        where=lambda c: "Tell me more* 9" not in json.dumps(c.blocks),
    )
    updates = bot.slack.calls_to("chat.update")
    assert "Tell me more* 9" in json.dumps(updates[-1].blocks)
    assert len(updates) < len(voters)  # the waiting votes were shown together


def test_votes_are_private_receipted_and_followed_up_once(bot: RunningBot) -> None:
    poll_post = post_poll(bot)
    click_vote(bot, poll_post, "U0ANA", "mentor")
    receipt = bot.slack.wait_for_response()
    assert receipt["response_type"] == "ephemeral" and "I'd mentor" in receipt["text"]
    invite = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0ANA")[0]
    assert "reverse mentor" in invite.args["text"]
    button = next(e for b in invite.blocks if b["type"] == "actions" for e in b["elements"])
    # The invitation's button opens the sign-up form.
    bot.driver.block_action(
        "U0ANA",
        button["action_id"],
        message=invite.response["message"],
        channel_id=invite.response["channel"],
    )
    opened = bot.slack.wait_for("views.open")[0]
    assert opened.view["callback_id"] == "signup" and opened.view["type"] == "modal"
    # Changing the answer is counted but does not DM again.
    click_vote(bot, poll_post, "U0ANA", "mentee")
    bot.slack.wait_for_response()  # the receipt comes last, after any follow-up DM
    bot.slack.wait_for("chat.update", lambda c: "I'd like a mentor* 1" in json.dumps(c.blocks))
    assert len(bot.slack.dms_to("U0ANA")) == 1

    click_vote(bot, poll_post, "U0BEN", "more")
    bot.slack.wait_for_response()
    explanation = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0BEN")[0]
    assert "How reverse mentoring works" in json.dumps(explanation.blocks)
    click_vote(bot, poll_post, "U0CAL", "no")
    bot.slack.wait_for_response()
    bot.slack.wait_for("chat.update", lambda c: "Not for me* 1" in json.dumps(c.blocks))
    assert bot.slack.dms_to("U0CAL") == []


def test_topic_votes_are_stored_and_tallied(bot: RunningBot) -> None:
    poll_post = post_poll(bot)
    block = next(b for b in poll_post.blocks if b.get("block_id", "").startswith("poll_topics:"))
    choices = (
        ("U0A", ["generative_ai", "social_media"]),
        ("U0B", ["generative_ai"]),
        ("U0A", ["generative_ai"]),
    )
    for done, (user, topics) in enumerate(choices, start=1):
        payload_action = {
            "type": "multi_static_select",
            "action_id": "poll_topics",
            "block_id": block["block_id"],
            "selected_options": [
                {"value": t, "text": {"type": "plain_text", "text": t}} for t in topics
            ],
            "action_ts": "1.0",
        }
        bot.driver.interactive(
            {
                "type": "block_actions",
                "team": {"id": bot.slack.team_id},
                "user": {"id": user, "team_id": bot.slack.team_id},
                "api_app_id": "A0MENTOR",
                "container": {
                    "type": "message",
                    "message_ts": poll_post.response["ts"],
                    "channel_id": POLL_CHANNEL,
                },
                "channel": {"id": POLL_CHANNEL},
                "message": poll_post.response["message"],
                "trigger_id": "1.2.3",
                "response_url": bot.slack.response_url("t"),
                "actions": [payload_action],
            }
        )
        bot.slack.wait_for("chat.update", count=done)  # a person changes their mind later
    bot.slack.wait_for(
        "chat.update",
        lambda c: (
            "Generative AI (2)" in json.dumps(c.blocks)
            and "Social media (" not in json.dumps(c.blocks)
        ),
    )

    # Votes are counted (committed) before the message is rewritten with them.
    with bot.session_factory() as s:
        stored = sorted(s.execute(select(PollTopicVote.slack_user_id, PollTopicVote.topic)).all())
    assert stored == [("U0A", "generative_ai"), ("U0B", "generative_ai")]


def test_closed_poll_keeps_final_tallies_and_refuses_votes(bot: RunningBot) -> None:
    poll_post = post_poll(bot)
    click_vote(bot, poll_post, "U0ANA", "no")
    assert "Not for me" in bot.slack.wait_for_response()["text"]  # the receipt
    bot.slack.wait_for("chat.update", lambda c: "Not for me* 1" in json.dumps(c.blocks))
    closed = bot.driver.command(COORDINATOR, "poll close")
    assert "closed: 1 answered" in ephemeral_text(closed)
    final = bot.slack.calls_to("chat.update")[-1]
    assert "This poll is closed" in json.dumps(final.blocks)
    assert "Not for me* 1" in json.dumps(final.blocks)
    assert not any(b["type"] == "actions" for b in final.blocks)
    updates = len(bot.slack.calls_to("chat.update"))
    click_vote(bot, poll_post, "U0LATE", "mentor")  # a stale button on someone's screen
    refusal = bot.slack.wait_for_response()
    assert "closed" in refusal["text"] and refusal["response_type"] == "ephemeral"
    assert len(bot.slack.calls_to("chat.update")) == updates
    with bot.session_factory() as s:
        assert s.scalar(select(Poll.status)) == PollStatus.CLOSED
        assert s.scalar(select(func.count()).select_from(PollVote)) == 1
    assert "no open poll" in ephemeral_text(bot.driver.command(COORDINATOR, "poll close"))


def test_poll_in_a_channel_the_bot_is_not_in_explains_what_to_do(bot: RunningBot) -> None:
    from tests.fakeslack import Failure

    bot.slack.fail("chat.postMessage", Failure(error="not_in_channel"))
    bot.driver.command(COORDINATOR, "poll <#C0SECRET|secret>")
    answer = bot.slack.wait_for_response()
    assert "/invite" in answer["text"]
    assert count(bot, Poll) == 0


# -- participants in control ---------------------------------------------------------------------


def pair_up(bot: RunningBot, mentor: str, mentee: str) -> int:
    with bot.session_factory.begin() as s:
        people = {p.slack_user_id: p for p in s.scalars(select(Participant))}
        pair = create_pair(
            s,
            mentor=people[mentor],
            mentee=people[mentee],
            status=PairStatus.ACTIVE,
            now=datetime.now(UTC),
        )
        return pair.id


def test_pause_resume_and_status(bot: RunningBot) -> None:
    sign_up_and_wait(bot, "U0ALICE", MENTOR_FORM)
    before = datetime.now(UTC)
    paused = ephemeral_text(bot.driver.command("U0ALICE", "pause 3"))
    assert "paused until <!date^" in paused
    with bot.session_factory() as s:
        until = s.scalar(select(Participant.paused_until))
    assert before + timedelta(weeks=3) <= until <= datetime.now(UTC) + timedelta(weeks=3)
    status = ephemeral_text(bot.driver.command("U0ALICE", "status"))
    assert "Paused until" in status and "1 poll answer" not in status
    assert "0 poll answers" in status and "Marketing analyst" in status
    assert "You weren't paused" not in ephemeral_text(bot.driver.command("U0ALICE", "resume"))
    with bot.session_factory() as s:
        assert s.scalar(select(Participant.paused_until)) is None
    assert "Active" in ephemeral_text(bot.driver.command("U0ALICE", "status"))
    bad = ephemeral_text(bot.driver.command("U0ALICE", "pause forever"))
    assert "how many weeks" in bad


def test_leave_tells_the_partner_kindly_without_a_reason(bot: RunningBot) -> None:
    sign_up_and_wait(bot, "U0ALICE", MENTOR_FORM)
    sign_up_and_wait(bot, "U0BOB", MENTEE_FORM)
    pair_id = pair_up(bot, "U0ALICE", "U0BOB")
    left = ephemeral_text(bot.driver.command("U0ALICE", "leave"))
    assert "You've left" in left
    note = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0BOB", count=2)[
        -1
    ]
    assert "stepped away" in note.args["text"] and "U0ALICE" not in json.dumps(note.args)
    with bot.session_factory() as s:
        pair = s.get(Pair, pair_id)
        assert pair.status == PairStatus.ENDED and pair.ended_reason == "mentor left"
        alice = s.scalars(select(Participant).where(Participant.slack_user_id == "U0ALICE")).one()
        assert alice.status == ParticipantStatus.LEFT
    again = ephemeral_text(bot.driver.command("U0ALICE", "leave"))
    assert "haven't joined" in again
    assert len(bot.slack.dms_to("U0BOB")) == 2  # the sign-up confirmation and one note


def rows_naming(bot: RunningBot, user_id: str) -> list[str]:
    found = []
    with bot.session_factory() as s:
        for table in models.Base.metadata.sorted_tables:
            for row in s.execute(table.select()).mappings():
                for column, value in row.items():
                    if isinstance(value, str) and user_id in value:
                        found.append(f"{table.name}.{column}")
    return found


def test_forget_me_leaves_no_row_naming_the_person(bot: RunningBot) -> None:
    sign_up_and_wait(bot, "U0FORGET", MENTOR_FORM)
    sign_up_and_wait(bot, "U0BOB", {**MENTEE_FORM})
    # Bob asked never to be matched with U0FORGET; U0FORGET voted and is a coordinator.
    with bot.session_factory.begin() as s:
        from models import MatchExclusion

        bob = s.scalars(select(Participant).where(Participant.slack_user_id == "U0BOB")).one()
        s.add(
            MatchExclusion(team_id=bob.team_id, participant_id=bob.id, excluded_user_id="U0FORGET")
        )
    bot.driver.command(COORDINATOR, "coordinators add <@U0FORGET|f>")
    bot.driver.command("U0FORGET", "coordinators add <@U0OTHER|o>")
    poll_post = post_poll(bot)
    click_vote(bot, poll_post, "U0FORGET", "mentor")
    bot.slack.wait_for_response()  # the vote's private receipt
    pair_id = pair_up(bot, "U0FORGET", "U0BOB")
    assert rows_naming(bot, "U0FORGET")

    confirm = bot.driver.command("U0FORGET", "forget-me")
    body = confirm.json()
    button = next(e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["style"] == "danger" and "confirm" in button
    assert rows_naming(bot, "U0FORGET")  # nothing is deleted before the confirmation
    for _ in range(2):  # a double click deletes once and answers twice
        bot.driver.block_action(
            "U0FORGET",
            button["action_id"],
            value=button["value"],
            message={"ts": "1.1", "channel": "D0FORGET"},
            channel_id="D0FORGET",
        )
        done = bot.slack.wait_for_response()
        assert "deleted" in done["text"]
    bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == "U0BOB" and "stepped away" in c.args["text"],
    )
    assert rows_naming(bot, "U0FORGET") == []
    with bot.session_factory() as s:
        pair = s.get(Pair, pair_id)  # Bob's history stays, without the forgotten person
        assert pair.mentor_id is None and pair.mentee_id is not None
        assert pair.status == PairStatus.ENDED
        assert s.scalar(select(func.count()).select_from(PollVote)) == 0
        assert s.scalar(text("select count(*) from coordinators")) == 1  # U0OTHER stays


# -- App Home and idempotency ----------------------------------------------------------------------


def test_coordinator_home_shows_program_signups_and_latest_poll(bot: RunningBot) -> None:
    sign_up_and_wait(bot, "U0ALICE", MENTOR_FORM)
    sign_up_and_wait(bot, "U0BOB", MENTEE_FORM)
    poll_post = post_poll(bot)
    click_vote(bot, poll_post, "U0ANA", "mentor")
    bot.slack.wait_for("chat.update")
    bot.driver.event(
        {
            "type": "app_home_opened",
            "user": COORDINATOR,
            "tab": "home",
            "channel": "D0COORD",
            "event_ts": "1.1",
        }
    )
    home = bot.slack.wait_for("views.publish", lambda c: c.args["user_id"] == COORDINATOR)[-1]
    shown = json.dumps(home.view)
    assert "Coordinator view" in shown
    assert "2 participants (1 reverse mentors, 1 mentees, 0 both)" in shown
    assert "I'd mentor* 1" in shown and f"<#{POLL_CHANNEL}>" in shown
    # A participant's own home has no coordinator section.
    bot.driver.event(
        {
            "type": "app_home_opened",
            "user": "U0BOB",
            "tab": "home",
            "channel": "D0BOB",
            "event_ts": "1.2",
        }
    )
    bob_home = bot.slack.wait_for("views.publish", lambda c: c.args["user_id"] == "U0BOB")[-1]
    assert "Coordinator view" not in json.dumps(bob_home.view)
    assert "VP Finance" in json.dumps(bob_home.view)


def test_a_retried_event_has_one_effect(bot: RunningBot) -> None:
    event = {
        "type": "app_home_opened",
        "user": "U0HAL",
        "tab": "home",
        "channel": "D0HAL",
        "event_ts": "1.1",
    }
    assert bot.driver.event(event, event_id="Ev0RETRY").status_code == 200
    bot.slack.wait_for("views.publish")
    assert bot.driver.event(event, event_id="Ev0RETRY", retry_num=1).status_code == 200
    assert bot.driver.event(event, event_id="Ev0RETRY", retry_num=2).status_code == 200
    bot.driver.event(event, event_id="Ev0OTHER")  # a new event still works
    bot.slack.wait_for("views.publish", count=2)
    assert len(bot.slack.calls_to("views.publish")) == 2


def test_a_double_submitted_sign_up_confirms_once(bot: RunningBot) -> None:
    from tests.flows import choose_learn_topics, open_form

    view = choose_learn_topics(bot, "U0DUP", open_form(bot, "U0DUP"), ["leadership"])
    inputs = {**MENTOR_FORM, "rating:leadership": "3"}
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: bot.driver.submit_view("U0DUP", view, inputs), [1, 2]))
    [first] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0DUP")
    bot.slack.assert_no_call(
        "chat.postMessage", within=1.0, channel="U0DUP", where=lambda c: c is not first
    )
    assert count(bot, Participant) == 1


def test_a_click_that_fails_right_after_its_ack_is_still_acknowledged(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone not (or no longer) in the program clicks Pause on an old App Home: the click is
    acknowledged, then the listener fails and the person is told why. Slack must get that ack,
    not Bolt's 404 three seconds later, which Slack shows as an error on top of our message."""
    executor = bot.app.listener_runner.listener_executor

    class LooksLate:
        """The request thread looks for the ack only after the listener has acked, failed and
        explained, as when it is slow to get the interpreter back under load."""

        def submit(self, work: Any) -> Any:
            handed_over = executor.submit(work)
            bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0GONE")
            futures.wait([handed_over], timeout=5)  # the listener is done: acked, failed, told
            return handed_over

    monkeypatch.setattr(bot.app.listener_runner, "listener_executor", LooksLate())
    started = time.monotonic()
    response = bot.driver.block_action("U0GONE", "pause", value="2")
    assert response.status_code == 200
    assert time.monotonic() - started < 2  # answered at its first look, not after Bolt's 3 s
    explained = bot.slack.dms_to("U0GONE")
    assert len(explained) == 1 and "/mentoring join" in explained[0].args["text"]
