"""Interest polls: posting one, votes and topic choices, closing it."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.flows.effects import Effects, Post, RewritePoll
from bot.services.errors import DomainError
from bot.services.polls import (
    attach_message,
    close_poll,
    discard_poll,
    record_topic_votes,
    record_vote,
    start_poll,
    tally,
)
from bot.views.polls import poll_follow_up, poll_message
from models.enums import PollAnswer

CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def post_poll(deps: Deps, client: WebClient, *, team_id: str, user_id: str, channel: str) -> None:
    """Start a poll and post its message; a message Slack will not post leaves no poll."""
    with deps.session_factory.begin() as db_session:
        poll = start_poll(
            db_session, team_id=team_id, channel_id=channel, created_by=user_id, now=deps.clock()
        )
        poll_id = poll.id
        text, blocks = poll_message(poll_id, tally(db_session, poll_id=poll_id), closed=False)
    try:
        posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as error:
        with deps.session_factory.begin() as db_session:
            discard_poll(db_session, poll_id=poll_id)
        if error.response.get("error") in CANNOT_POST:
            raise DomainError(
                f"I can't post in <#{channel}>. Invite me there first "
                "(`/invite @Reverse Mentoring`), then try again."
            ) from None
        raise
    with deps.session_factory.begin() as db_session:
        attach_message(db_session, poll_id=poll_id, message_ts=str(posted["ts"]))


@dataclass(frozen=True)
class ClosedPoll:
    channel_id: str
    respondents: int


def close(deps: Deps, *, team_id: str) -> tuple[ClosedPoll, Effects]:
    """Close the open poll; its message shows the final counts before the answer."""
    with deps.session_factory.begin() as db_session:
        poll, tallies = close_poll(db_session, team_id=team_id, now=deps.clock())
        closed = ClosedPoll(poll.channel_id, tallies.respondents)
        poll_id = poll.id
    return closed, Effects().add(RewritePoll(poll_id, wait=True))


def vote(deps: Deps, *, team_id: str, poll_id: int, user_id: str, answer: PollAnswer) -> Effects:
    """Count a vote in its own short transaction; the follow-up DM the first time, and the
    poll's message rewritten after (coalesced with other votes')."""
    with deps.session_factory.begin() as db_session:
        outcome = record_vote(
            db_session,
            team_id=team_id,
            poll_id=poll_id,
            user_id=user_id,
            answer=answer,
            now=deps.clock(),
        )
    then = Effects()
    if outcome.follow_up is not None:
        text, blocks = poll_follow_up(outcome.follow_up)
        then.add(Post(user_id, text, blocks))
    if outcome.changed:
        then.add(RewritePoll(poll_id))
    return then


def choose_topics(
    deps: Deps, *, team_id: str, poll_id: int, user_id: str, topics: list[str]
) -> Effects:
    with deps.session_factory.begin() as db_session:
        outcome = record_topic_votes(
            db_session,
            team_id=team_id,
            poll_id=poll_id,
            user_id=user_id,
            topics=topics,
            now=deps.clock(),
        )
    return Effects().add(RewritePoll(poll_id)) if outcome.changed else Effects()
