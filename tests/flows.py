"""What people do in Slack, step by step, for the end-to-end tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningBot

MENTOR_FORM = {
    "role": "mentor",
    "job_title": "Marketing analyst",
    "department": "Marketing",
    "location": "Lisbon",
    "career_stage": "0-2",
    "teach_topics": ["social_media", "generative_ai"],
    "learn_topics": ["leadership"],
    "personality": "extrovert",
    "cadence": "biweekly",
    "consent": ["agree"],
}
MENTEE_FORM = {
    "role": "mentee",
    "job_title": "VP Finance",
    "department": "Finance",
    "location": "New York",
    "career_stage": "20+",
    "teach_topics": ["strategy"],
    "learn_topics": ["generative_ai", "social_media"],
    "personality": "introvert",
    "cadence": "weekly",
    "consent": ["agree"],
}


def open_form(bot: RunningBot, user_id: str, command: str = "join") -> dict[str, Any]:
    """Type `/mentoring <command>` and return the modal the bot opened."""
    before = len(bot.slack.calls_to("views.open"))
    response = bot.driver.command(user_id, command)
    assert response.status_code == 200
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]]


def choose_learn_topics(
    bot: RunningBot, user_id: str, view: dict[str, Any], topics: list[str]
) -> dict[str, Any]:
    """Pick topics to learn; the bot re-renders the form with a rating field for each."""
    before = len(bot.slack.calls_to("views.update"))
    bot.driver.view_action(user_id, view, "learn_topics", {"learn_topics": topics})
    call = bot.slack.wait_for("views.update", count=before + 1)[-1]
    return bot.slack.views[call.args["view_id"]]


def sign_up(
    bot: RunningBot,
    user_id: str,
    form: dict[str, Any] | None = None,
    ratings: dict[str, str] | None = None,
    command: str = "join",
) -> Any:
    """The whole sign-up: open the form, choose topics, rate them, submit. Returns the response."""
    form = dict(form or MENTOR_FORM)
    view = open_form(bot, user_id, command)
    view = choose_learn_topics(bot, user_id, view, form["learn_topics"])
    ratings = ratings or {t: "2" for t in form["learn_topics"]}
    inputs = {**form, **{f"rating:{t}": r for t, r in ratings.items()}}
    return bot.driver.submit_view(user_id, view, inputs)
