"""Midpoint and final surveys, from the job that queues them to the saved answers."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import select

from bot.jobs.dispatcher import dispatch
from bot.services.surveys import plan_surveys
from models import SurveyResponse
from models.enums import SurveyKind
from tests.conftest import BOT_TOKEN, RunningBot
from tests.factories import BOOKED_AT, MENTEE_USER, MENTOR_USER, seed_pair

# No end date anywhere: six biweekly sessions from the introduction, 84 days.
INTRODUCED = BOOKED_AT
MIDPOINT = INTRODUCED + timedelta(days=42)
FINAL = INTRODUCED + timedelta(days=84)


def test_midpoint_survey_reaches_both_and_saves_re_ratings(bot: RunningBot) -> None:
    seed_pair(bot.session_factory, now=INTRODUCED)
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    with bot.session_factory.begin() as db_session:
        assert plan_surveys(db_session, now=MIDPOINT - timedelta(hours=1)) == 0
    with bot.session_factory.begin() as db_session:
        assert plan_surveys(db_session, now=MIDPOINT) == 2
    with bot.session_factory.begin() as db_session:
        assert plan_surveys(db_session, now=MIDPOINT + timedelta(days=1)) == 0  # once each
    dispatch(bot.session_factory, client, now=MIDPOINT + timedelta(days=1))
    [invitation] = bot.slack.dms_to(MENTEE_USER)
    assert "halfway through" in invitation.args["text"]
    assert len(bot.slack.dms_to(MENTOR_USER)) == 1

    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(
        MENTEE_USER, "open_survey", value=invitation.blocks[1]["elements"][0]["value"]
    )
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    form = bot.slack.views[call.response["view"]["id"]]
    labels = [b["label"]["text"] for b in form["blocks"]]
    assert "Your Generative AI skills now" in labels and "Your Social media skills now" in labels

    incomplete = bot.driver.submit_view(MENTEE_USER, form, {"effectiveness": "4"})
    errors = incomplete.json()["errors"]
    assert set(errors) == {"would_recommend", "rating:generative_ai", "rating:social_media"}

    done = bot.driver.submit_view(
        MENTEE_USER,
        form,
        {
            "effectiveness": "4",
            "rating:generative_ai": "3",
            "rating:social_media": "4",
            "would_recommend": "yes",
        },
    )
    assert done.status_code == 200
    bot.slack.wait_for("chat.postMessage", lambda c: "survey answers are saved" in c.args["text"])
    with bot.session_factory.begin() as db_session:
        response = db_session.scalars(select(SurveyResponse)).one()
        assert response.kind == SurveyKind.MIDPOINT
        assert response.ratings == {"generative_ai": 3, "social_media": 4}
        assert response.effectiveness == 4 and response.would_recommend is True

    # Past its two-week window a survey is never decided again.
    with bot.session_factory.begin() as db_session:
        assert plan_surveys(db_session, now=MIDPOINT + timedelta(days=15)) == 0

    # The final survey comes at the end; someone outside the pair cannot open it.
    with bot.session_factory.begin() as db_session:
        assert plan_surveys(db_session, now=FINAL) == 2
    dispatch(bot.session_factory, client, now=FINAL + timedelta(days=1))
    final = bot.slack.dms_to(MENTEE_USER)[-1]
    assert "at the end of" in final.args["text"]
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(
        "U0STRANGER",
        "open_survey",
        value=final.blocks[1]["elements"][0]["value"],
        message={"ts": final.response["ts"], "channel": final.response["channel"]},
        channel_id=final.response["channel"],
    )
    assert "for the two people" in bot.slack.wait_for_response()["text"]
    assert len(bot.slack.calls_to("views.open")) == before
