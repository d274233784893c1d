"""Sign-up end to end: signed HTTP requests in, calls to the fake Slack out."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from models import Participant, ParticipantTopic, Program
from models.enums import Role, TopicDirection
from tests.conftest import COORDINATOR, RunningBot
from tests.flows import MENTEE_FORM, MENTOR_FORM, choose_learn_topics, open_form, sign_up

pytestmark = pytest.mark.needs_contract


def participants(bot: RunningBot) -> list[Participant]:
    with bot.session_factory() as s:
        return list(s.scalars(select(Participant).order_by(Participant.id)))


def block_text(blocks: list[dict]) -> str:
    return json.dumps(blocks)


PARTICIPANT_COMMANDS = (
    "help",
    "join",
    "profile",
    "status",
    "pause [weeks]",
    "resume",
    "leave",
    "forget-me",
    "schedule",
    "notes",
    "concern",
    "goals [edit]",
)
COORDINATOR_COMMANDS = (
    "poll #channel | close",
    "program [new|list]",
    "coordinators add|remove|list @person",
    "match",
    "end-pair @person [@partner] why",
    "rematch @person",
    "swap @someone @someone-else",
    "export [program]",
    "stats [chart] [program]",
    "digest on|off",
)


def test_help_lists_every_sub_command_to_the_caller_only(bot: RunningBot) -> None:
    response = bot.driver.command(COORDINATOR, "help")
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    listing = block_text(body["blocks"])
    for usage in PARTICIPANT_COMMANDS + COORDINATOR_COMMANDS:
        assert f"`/mentoring {usage}`" in listing
    assert listing.count("_(coordinators)_") == len(COORDINATOR_COMMANDS)
    assert "Coordinators have more commands" not in listing


def test_help_shows_a_participant_only_what_they_can_use(bot: RunningBot) -> None:
    bot.slack.add_user("U0ALICE")
    listing = block_text(bot.driver.command("U0ALICE", "help").json()["blocks"])
    for usage in PARTICIPANT_COMMANDS:
        assert f"`/mentoring {usage}`" in listing
    for usage in COORDINATOR_COMMANDS:
        assert f"`/mentoring {usage}`" not in listing
    assert "Coordinators have more commands, listed for them here." in listing
    # A workspace admin is a coordinator, and sees them all.
    bot.slack.add_user("U0OWNER", is_owner=True)
    listing = block_text(bot.driver.command("U0OWNER", "help").json()["blocks"])
    assert all(f"`/mentoring {usage}`" in listing for usage in COORDINATOR_COMMANDS)


@pytest.mark.parametrize("text", ["", "   "])
def test_bare_command_shows_help(bot: RunningBot, text: str) -> None:
    body = bot.driver.command("U0ALICE", text).json()
    assert "/mentoring join" in block_text(body["blocks"])


def test_unknown_sub_command_answers_with_help_and_escapes_what_was_typed(bot: RunningBot) -> None:
    body = bot.driver.command("U0ALICE", "<!channel> please").json()
    assert body["response_type"] == "ephemeral"
    first = body["blocks"][0]["text"]["text"]
    assert "I don't know `&lt;!channel&gt;`" in first
    assert "<!channel>" not in block_text(body["blocks"])
    assert "/mentoring join" in block_text(body["blocks"])


def test_bad_signature_is_refused_and_changes_nothing(bot: RunningBot) -> None:
    body = bot.driver.command_body("U0ALICE", "join")
    response = bot.driver.post(
        body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert response.status_code == 401
    # A wrongly accepted request would open the form a moment after its answer.
    bot.slack.assert_no_call("views.open", within=0.2)
    assert participants(bot) == []


def test_stale_signature_is_refused(bot: RunningBot) -> None:
    body = bot.driver.command_body("U0ALICE", "help")
    six_minutes_ago = int(time.time()) - 6 * 60
    response = bot.driver.post(body, "application/x-www-form-urlencoded", timestamp=six_minutes_ago)
    assert response.status_code == 401
    # The same body, signed now, is accepted: only the age made the difference.
    fresh = bot.driver.post(body, "application/x-www-form-urlencoded")
    assert fresh.status_code == 200


def test_unsigned_request_is_refused(bot: RunningBot) -> None:
    body = bot.driver.command_body("U0ALICE", "help")
    response = bot.driver.http.post(
        f"{bot.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401


def test_healthz(bot: RunningBot) -> None:
    response = bot.driver.http.get(f"{bot.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_join_opens_the_sign_up_form(bot: RunningBot) -> None:
    view = open_form(bot, "U0ALICE")
    assert view["type"] == "modal"
    assert view["title"]["text"] == "Join reverse mentoring"
    block_ids = {b.get("block_id") for b in view["blocks"]}
    for field in (
        "role",
        "department",
        "location",
        "job_title",
        "career_stage",
        "teach_topics",
        "learn_topics",
        "personality",
        "cadence",
        "do_not_match",
        "consent",
    ):
        assert field in block_ids
    topics = {
        o["value"]
        for g in next(b for b in view["blocks"] if b.get("block_id") == "teach_topics")["element"][
            "option_groups"
        ]
        for o in g["options"]
    }
    assert {
        "social_media",
        "generative_ai",
        "cybersecurity",
        "strategy",
        "career_navigation",
    } <= topics


def test_sign_up_enrols_confirms_by_dm_and_profile_reopens_pre_filled(bot: RunningBot) -> None:
    bot.slack.add_user("U0ALICE", tz="America/New_York")
    response = sign_up(bot, "U0ALICE", MENTOR_FORM, ratings={"leadership": "2"})
    assert response.status_code == 200
    assert response.text == ""  # the modal closes

    dm = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0ALICE")[0]
    assert "You're signed up" in dm.args["text"]
    dm_text = block_text(dm.blocks)
    assert "Marketing analyst" in dm_text and "America/New_York" in dm_text
    assert "Leadership (2/5)" in dm_text

    [alice] = participants(bot)
    assert alice.role == Role.MENTOR and alice.timezone == "America/New_York"
    with bot.session_factory() as s:
        topics = s.execute(
            select(
                ParticipantTopic.direction, ParticipantTopic.topic, ParticipantTopic.self_rating
            ).where(ParticipantTopic.participant_id == alice.id)
        ).all()
        assert sorted(topics) == sorted(
            [
                (TopicDirection.TEACH, "social_media", None),
                (TopicDirection.TEACH, "generative_ai", None),
                (TopicDirection.LEARN, "leadership", 2),
            ]
        )
        assert s.scalar(select(Program.name)).startswith("Reverse mentoring")

    # /mentoring profile shows the same answers, ready to edit.
    view = open_form(bot, "U0ALICE", "profile")
    assert view["title"]["text"] == "Your mentoring profile"
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["job_title"]["element"]["initial_value"] == "Marketing analyst"
    assert by_id["role"]["element"]["initial_option"]["value"] == "mentor"
    assert [o["value"] for o in by_id["teach_topics"]["element"]["initial_options"]] == [
        "social_media",
        "generative_ai",
    ]
    assert by_id["rating:leadership"]["element"]["initial_option"]["value"] == "2"
    assert by_id["consent"]["element"]["initial_options"][0]["value"] == "agree"

    # Signed up by command, nobody was looking at the App Home: it shows the profile once
    # opened.
    assert bot.slack.calls_to("views.publish") == []
    bot.driver.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
    home = bot.slack.wait_for("views.publish", lambda c: c.args["user_id"] == "U0ALICE")[-1]
    assert "Marketing analyst" in json.dumps(home.view)


def test_submitting_twice_keeps_one_participant_and_updates_it(bot: RunningBot) -> None:
    sign_up(bot, "U0BOB", MENTEE_FORM)
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0BOB")
    changed = {**MENTEE_FORM, "department": "Treasury", "learn_topics": ["cybersecurity"]}
    response = sign_up(bot, "U0BOB", changed, command="profile")
    assert response.status_code == 200
    second = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "U0BOB", count=2
    )[-1]
    assert "updated" in second.args["text"]
    [bob] = participants(bot)
    assert bob.department == "Treasury"
    with bot.session_factory() as s:
        learn = s.scalars(
            select(ParticipantTopic.topic).where(
                ParticipantTopic.participant_id == bob.id,
                ParticipantTopic.direction == TopicDirection.LEARN,
            )
        ).all()
    assert learn == ["cybersecurity"]


def test_the_same_form_submitted_twice_at_once_leaves_one_participant(bot: RunningBot) -> None:
    view = open_form(bot, "U0CARA")
    from tests.flows import choose_learn_topics

    view = choose_learn_topics(bot, "U0CARA", view, ["leadership"])
    inputs = {**MENTOR_FORM, "rating:leadership": "3"}
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: bot.driver.submit_view("U0CARA", view, inputs), [1, 2]))
    assert [r.status_code for r in results] == [200, 200]
    assert len(participants(bot)) == 1


def test_choosing_topics_to_learn_adds_a_rating_field_for_each(bot: RunningBot) -> None:
    from tests.flows import choose_learn_topics

    view = open_form(bot, "U0DAN")
    view = choose_learn_topics(bot, "U0DAN", view, ["generative_ai", "data_analytics"])
    rating_blocks = [
        b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("rating:")
    ]
    assert rating_blocks == ["rating:generative_ai", "rating:data_analytics"]
    view = choose_learn_topics(bot, "U0DAN", view, ["data_analytics"])
    rating_blocks = [
        b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("rating:")
    ]
    assert rating_blocks == ["rating:data_analytics"]


def refused(response) -> dict[str, str]:
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    return body["errors"]


def test_no_consent_is_refused_inline(bot: RunningBot) -> None:
    errors = refused(sign_up(bot, "U0EVE", {**MENTOR_FORM, "consent": []}))
    assert set(errors) == {"consent"}
    assert "ground rules" in errors["consent"]
    assert participants(bot) == []


def test_a_reverse_mentor_with_nothing_to_teach_is_refused_inline(bot: RunningBot) -> None:
    errors = refused(sign_up(bot, "U0EVE", {**MENTOR_FORM, "teach_topics": []}))
    assert "teach_topics" in errors
    assert participants(bot) == []


def test_a_mentee_with_nothing_to_learn_is_refused_inline(bot: RunningBot) -> None:
    view = open_form(bot, "U0EVE")
    errors = refused(bot.driver.submit_view("U0EVE", view, {**MENTEE_FORM, "learn_topics": []}))
    assert "learn_topics" in errors


def test_missing_self_rating_is_refused_on_its_field(bot: RunningBot) -> None:
    from tests.flows import choose_learn_topics

    view = open_form(bot, "U0EVE")
    view = choose_learn_topics(bot, "U0EVE", view, ["leadership"])
    errors = refused(bot.driver.submit_view("U0EVE", view, MENTOR_FORM))  # no rating chosen
    assert set(errors) == {"rating:leadership"}


def test_over_long_text_is_refused_even_if_the_client_let_it_through(bot: RunningBot) -> None:
    from tests.driver import fill_state

    view = open_form(bot, "U0EVE")
    state = fill_state(view, {**MENTEE_FORM, "learn_topics": []})
    state["department"]["department"]["value"] = "D" * 5000
    errors = refused(bot.driver.submit_view("U0EVE", view, state_values=state))
    assert "department" in errors and "100 characters" in errors["department"]
    assert participants(bot) == []
    assert bot.slack.calls_to("chat.postMessage") == []


def test_user_text_is_echoed_back_escaped(bot: RunningBot) -> None:
    form = {**MENTOR_FORM, "department": "<!channel> & co", "job_title": "<@U123> fan"}
    sign_up(bot, "U0FRED", form)
    dm = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0FRED")[0]
    text = block_text(dm.blocks)
    assert "&lt;!channel&gt; &amp; co" in text and "&lt;@U123&gt; fan" in text
    assert "<!channel>" not in text and "<@U123>" not in text
    [fred] = participants(bot)
    assert fred.department == "<!channel> & co"  # stored as typed
    # Pre-filled form fields are plain text, so they show the text exactly as typed.
    view = open_form(bot, "U0FRED", "profile")
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["department"]["element"]["initial_value"] == "<!channel> & co"


def test_sign_up_survives_slack_failing_to_tell_the_time_zone(bot: RunningBot) -> None:
    # U0GINA is unknown to the fake, so users.info answers user_not_found.
    sign_up(bot, "U0GINA", MENTOR_FORM)
    dm = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0GINA")[0]
    assert "couldn't read your time zone" in block_text(dm.blocks)
    [gina] = participants(bot)
    assert gina.timezone is None


def test_app_home_invites_newcomers_and_its_button_opens_the_form(bot: RunningBot) -> None:
    response = bot.driver.event(
        {
            "type": "app_home_opened",
            "user": "U0HAL",
            "tab": "home",
            "channel": "D0HAL",
            "event_ts": "1.1",
        }
    )
    assert response.status_code == 200
    home = bot.slack.wait_for("views.publish")[0]
    assert home.args["user_id"] == "U0HAL"
    assert "Join the program" in json.dumps(home.view)
    bot.driver.block_action(
        "U0HAL", "open_signup", container={"type": "view", "view_id": "VHOMEU0HAL"}
    )
    opened = bot.slack.wait_for("views.open")[0]
    assert opened.view["callback_id"] == "signup"

    # Sent from the Home, the form leaves the Home showing the new profile.
    form = bot.slack.views[opened.response["view"]["id"]]
    form = choose_learn_topics(bot, "U0HAL", form, MENTEE_FORM["learn_topics"])
    inputs = {**MENTEE_FORM, **{f"rating:{t}": "2" for t in MENTEE_FORM["learn_topics"]}}
    assert bot.driver.submit_view("U0HAL", form, inputs).status_code == 200
    republished = bot.slack.wait_for("views.publish", count=2)[-1]
    assert republished.args["user_id"] == "U0HAL"
    assert MENTEE_FORM["job_title"] in json.dumps(republished.view)


def test_every_person_counts_once_across_two_people(bot: RunningBot) -> None:
    sign_up(bot, "U0IVY", MENTOR_FORM)
    sign_up(bot, "U0JON", MENTEE_FORM)
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Participant)) == 2
        assert s.scalar(select(func.count()).select_from(Program)) == 1
