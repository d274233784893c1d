"""Keeping each poll's message in step with its counts, with few calls to Slack."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.services.polls import PollTallies, poll_state
from bot.views.polls import poll_message
from models import Poll
from models.enums import PollStatus

logger = logging.getLogger(__name__)

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

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
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
            with self._session_factory.begin() as db_session:
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
