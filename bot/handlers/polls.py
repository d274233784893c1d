"""Interest polls: `/mentoring poll #channel`, votes, live tallies, follow-up DMs, closing."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps, OutOfDateError, record_id, team_id_of, user_id_of
from bot.handlers.slack_users import mentioned_channel
from bot.services.errors import DomainError
from bot.services.polls import (
    PollTallies,
    VoteOutcome,
    attach_message,
    close_poll,
    discard_poll,
    poll_state,
    record_topic_votes,
    record_vote,
    start_poll,
    tally,
)
from bot.views.ids import POLL_VOTE_PREFIX, ActionId
from bot.views.messages import HelpEntry
from bot.views.polls import (
    poll_follow_up,
    poll_message,
    vote_receipt,
)
from models import Poll
from models.enums import PollAnswer, PollStatus

logger = logging.getLogger(__name__)

CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
# Rewrites of one poll's message in a row while other processes' votes keep moving the counts.
MAX_REWRITES = 5


def _show_tallies(client: WebClient, poll: Poll, tallies: PollTallies, *, closed: bool) -> None:
    """Rewrite the poll message with these tallies; a failure here must not lose the vote."""
    if poll.message_ts is None:
        return
    text, blocks = poll_message(poll.id, tallies, closed=closed)
    try:
        client.chat_update(channel=poll.channel_id, ts=poll.message_ts, text=text, blocks=blocks)
    except SlackApiError as error:
        # The next vote rewrites the message with complete counts.
        logger.warning("poll %s: chat.update failed: %s", poll.id, error.response.get("error"))


class PollMessages:
    """Keeps each poll's message in step with its counts, with few calls to Slack.

    Votes are counted in short transactions of their own; after its commit, a vote asks for
    its poll's message to be rewritten. One thread of this process rewrites a poll's message
    at a time, rereading the counts until no vote has asked since its last read; a vote that
    finds a rewrite under way leaves its request for that thread and goes on. So a burst of
    votes costs a few chat.update calls rather than one each, and no listener thread waits on
    another's call to Slack. No transaction is open while Slack is called: with several
    processes on one Postgres database, a rewrite reads the counts again after its call and
    writes once more if they moved, so the last word is never older counts.
    """

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._guard = threading.Lock()
        self._wanted: set[int] = set()  # polls whose counts changed since their last read
        self._rewriting: dict[int, threading.Lock] = {}

    def refresh(self, client: WebClient, poll_id: int, *, wait: bool = False) -> None:
        """Have the poll's message show its counts now: rewritten here, or (unless `wait`) by
        the thread already rewriting it."""
        with self._guard:
            self._wanted.add(poll_id)
            rewriting = self._rewriting.setdefault(poll_id, threading.Lock())
        blocking = wait
        while rewriting.acquire(blocking=blocking):
            try:
                while self._take(poll_id):
                    self._rewrite(client, poll_id)
            except (SQLAlchemyError, OSError):
                # The votes are counted and receipted already: say nothing to the voter. The
                # next vote rewrites the message with complete counts.
                logger.exception("poll %s: could not rewrite its message", poll_id)
                return
            finally:
                rewriting.release()
            # A vote may have asked between our last look and the release: if so, and nobody
            # else took over, rewrite again.
            with self._guard:
                if poll_id not in self._wanted:
                    return
            blocking = False

    def _take(self, poll_id: int) -> bool:
        with self._guard:
            if poll_id not in self._wanted:
                return False
            self._wanted.discard(poll_id)
            return True

    def _rewrite(self, client: WebClient, poll_id: int) -> None:
        shown: tuple[PollStatus, PollTallies] | None = None
        for _ in range(MAX_REWRITES):
            with self._deps.session_factory.begin() as db_session:
                state = poll_state(db_session, poll_id=poll_id)
                others = db_session.get_bind().dialect.name == "postgresql"
            if state is None or (state[0].status, state[1]) == shown:
                return
            _show_state(client, *state)
            if not others:
                return  # SQLite serves one process, whose rewrites are in order already
            shown = (state[0].status, state[1])


def _show_state(client: WebClient, poll: Poll, tallies: PollTallies) -> None:
    _show_tallies(client, poll, tallies, closed=poll.status != PollStatus.OPEN)


def _post_poll(call: CommandCall, deps: Deps) -> None:
    channel = mentioned_channel(call.args)
    if channel is None:
        raise DomainError(f"Which channel? Try `{COMMAND} poll #general`.")
    call.ack()
    with deps.session_factory.begin() as db_session:
        poll = start_poll(
            db_session,
            team_id=call.team_id,
            channel_id=channel,
            created_by=call.user_id,
            now=deps.clock(),
        )
        poll_id = poll.id
        text, blocks = poll_message(poll_id, tally(db_session, poll_id=poll_id), closed=False)
    try:
        posted = call.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
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
    call.respond(
        response_type="ephemeral",
        text=f"Poll posted in <#{channel}>. The message shows live totals; close it with "
        f"`{COMMAND} poll close`.",
    )


def _close_poll(call: CommandCall, deps: Deps, messages: PollMessages) -> None:
    with deps.session_factory.begin() as db_session:
        poll, tallies = close_poll(db_session, team_id=call.team_id, now=deps.clock())
    messages.refresh(call.client, poll.id, wait=True)  # the final counts, before the answer
    call.ack(
        response_type="ephemeral",
        text=f"Poll in <#{poll.channel_id}> closed: {tallies.respondents} answered. "
        "The final totals stay on the message.",
    )


def _poll(call: CommandCall, deps: Deps, messages: PollMessages) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    if call.args.lower() == "close":
        _close_poll(call, deps, messages)
    else:
        _post_poll(call, deps)


def _vote_of(action: dict[str, Any]) -> tuple[int, PollAnswer]:
    """(poll id, answer) from a vote button; OutOfDateError for a value no poll of ours has."""
    poll_id, _, answer = str(action.get("value")).partition(":")
    if answer not in set(PollAnswer):
        raise OutOfDateError
    return record_id(poll_id), PollAnswer(answer)


def _follow_up(client: WebClient, user_id: str, outcome: VoteOutcome) -> None:
    if outcome.follow_up is not None:
        text, blocks = poll_follow_up(outcome.follow_up)
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    messages = PollMessages(deps)
    router.add(
        "poll",
        lambda call: _poll(call, deps, messages),
        HelpEntry(
            f"{COMMAND} poll #channel | close",
            "ask a channel who'd take part, or close the open poll",
            coordinators_only=True,
        ),
    )

    @app.action(re.compile(f"^{POLL_VOTE_PREFIX}"))
    def on_vote(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
    ) -> None:
        poll_id, answer = _vote_of(action)
        ack()
        user_id = user_id_of(body)
        with deps.session_factory.begin() as db_session:
            outcome = record_vote(
                db_session,
                team_id=team_id_of(body),
                poll_id=poll_id,
                user_id=user_id,
                answer=answer,
                now=deps.clock(),
            )
        _follow_up(client, user_id, outcome)
        respond(response_type="ephemeral", replace_original=False, text=vote_receipt(answer))
        if outcome.changed:
            messages.refresh(client, poll_id)

    @app.action(ActionId.POLL_TOPICS)
    def on_topics(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        poll_id = record_id(str(action.get("block_id")).partition(":")[2])
        chosen = action.get("selected_options")
        topics = [
            o["value"]
            for o in (chosen if isinstance(chosen, list) else [])
            if isinstance(o, dict) and isinstance(o.get("value"), str)
        ]
        ack()
        with deps.session_factory.begin() as db_session:
            outcome = record_topic_votes(
                db_session,
                team_id=team_id_of(body),
                poll_id=poll_id,
                user_id=user_id_of(body),
                topics=topics,
                now=deps.clock(),
            )
        if outcome.changed:
            messages.refresh(client, poll_id)
