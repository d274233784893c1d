"""Rounds of matching, as coordinators run them: a solve started (or joined) and shown at
once, filled in the background; pairs adjusted; the round published through the outbox.

A solve can outlast the 3 seconds Slack honours a trigger for, so the review modal opens at
once saying what is being matched, the solve runs on the background lane, and the modal is
filled when it is done (or, if it was closed, the coordinator gets a DM and finds it in the
App Home). Publishing queues every message in the outbox; the modal then shows the
dispatcher's progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.flows.home import refresh_home
from bot.services import outbox
from bot.services.errors import DomainError
from bot.services.matching import rounds
from bot.services.matching.proposals import (
    current_proposal,
    forbid_people,
    remove_pair,
    set_pinned,
    solve,
)
from bot.services.programs import get_or_create_open_program
from bot.views.matching import (
    PAIRS_SHOWN,
    failed_modal,
    proposal_modal,
    publishing_modal,
    solving_modal,
)
from bot.views.text import escape, plural
from models import MatchRound, Program
from models.enums import RoundState

logger = logging.getLogger(__name__)

NOTICES = {
    "remove": "Pair removed: those two will not be paired again. Re-run to match them with others.",
    "pin": "Pair pinned: it stays when you re-run.",
    "unpin": "Pair unpinned.",
}
# Opens or updates a modal with a view; returns the modal's view id.
Show = Callable[[View], str]


def _program(deps: Deps, db_session: Session, *, team_id: str, program_id: int | None) -> Program:
    if program_id:
        program = db_session.get(Program, program_id)
        if program is None or program.team_id != team_id:
            raise DomainError("That program no longer exists.")
        return program
    return get_or_create_open_program(db_session, team_id=team_id, now=deps.clock())


def _describe(error: Exception) -> str:
    """A failed solve, in words a coordinator can act on."""
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, MemoryError):
        return "the program is too large for this server's memory"
    return f"something went wrong on our side ({type(error).__name__}); please re-run"


def _round_view(db_session: Session, status: rounds.RoundStatus, *, viewer: str) -> View:
    """The modal for a round as it stands now."""
    if status.state == RoundState.SOLVING:
        return solving_modal(status, viewer=viewer)
    if status.state == RoundState.FAILED:
        return failed_modal(status)
    if status.state == RoundState.READY:
        program = db_session.get(Program, status.program_id)
        assert program is not None
        return proposal_modal(current_proposal(db_session, program=program, limit=PAIRS_SHOWN))
    return publishing_modal(status)


def show_round(deps: Deps, client: WebClient, *, round_id: int) -> None:
    """Put a round's outcome in every modal still open on it; tell the others by DM (through
    the outbox) and in their App Home."""
    with deps.session_factory.begin() as db_session:
        found = db_session.get(MatchRound, round_id)
        if found is None:
            return
        status = rounds.status_of(db_session, found)
        # Past solving, the modal is the same whoever looks at it.
        view = _round_view(db_session, status, viewer=status.requested_by)
    shown: set[str] = set()
    for user, view_id in status.watching_views():
        try:
            client.views_update(view_id=view_id, view=view)
            shown.add(user)
        except SlackApiError as error:  # closed (not_found), or Slack said no: tell by DM
            logger.info("round %d: modal not updated: %s", round_id, error.response.get("error"))
    untold = [u for u in status.interested_users() if u not in shown]
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        for user in untold:
            outbox.enqueue(
                db_session,
                team_id=status.team_id,
                dedupe_key=f"round:{round_id}:{status.state}:{user}",
                kind="round_news",
                channel=user,
                payload={"round_id": round_id, "state": str(status.state)},
                due_at=now,
                now=now,
            )
    for user in status.interested_users():
        try:
            refresh_home(deps, client, team_id=status.team_id, user_id=user, coordinator=True)
        except SlackApiError as error:  # the DM above carries the news all the same
            logger.warning(
                "round %d: App Home not published: %s", round_id, error.response.get("error")
            )


def solve_round(deps: Deps, client: WebClient, *, round_id: int) -> None:
    """The background part of a round: read the pool, solve, store; no transaction is open
    while it solves. A failure is kept on the round, in words."""
    try:
        with deps.session_factory.begin() as db_session:
            given = rounds.solve_input(db_session, round_id=round_id, now=deps.clock())
        if given is None:
            return
        solved = solve(given.loaded, pinned=given.pinned)
        with deps.session_factory.begin() as db_session:
            finished = rounds.finish_solve(
                db_session, round_id=round_id, solved=solved, now=deps.clock()
            )
    except Exception as error:
        logger.exception("matching round %d failed", round_id)
        with deps.session_factory.begin() as db_session:
            finished = rounds.fail_solve(
                db_session, round_id=round_id, error=_describe(error), now=deps.clock()
            )
    if finished is None:
        return
    try:
        show_round(deps, client, round_id=round_id)
    except Exception:  # on a background thread: nobody else would hear of it
        logger.exception("round %d: its outcome could not be shown", round_id)


def start_round(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    program_id: int | None,
    show: Show,
    tell: Callable[[str], object] | None = None,
) -> None:
    """Start a solve (or join the one running) and show it in a modal at once; if no modal
    can be shown, `tell` the coordinator so in words."""
    with deps.session_factory.begin() as db_session:
        program = _program(deps, db_session, team_id=team_id, program_id=program_id)
        found, started = rounds.start_or_join(
            db_session, program=program, user_id=user_id, now=deps.clock()
        )
        status = rounds.status_of(db_session, found)
    try:
        view_id = show(solving_modal(status, viewer=user_id))
    except SlackApiError as error:
        # No modal (Slack refused it, or the trigger expired): the round goes on, and its
        # outcome reaches the coordinator by DM and in the App Home.
        logger.warning("round %d: modal not opened: %s", status.id, error.response.get("error"))
        with deps.session_factory.begin() as db_session:
            rounds.follow(db_session, team_id=team_id, round_id=status.id, user_id=user_id)
        if started:
            deps.background.submit(solve_round, deps, client, round_id=status.id)
        if tell is not None:
            tell(
                f"Matching {plural(status.people, 'person', 'people')} for "
                f"{escape(status.program_name)}. I'll send you a DM when the proposal is ready."
            )
        return
    with deps.session_factory.begin() as db_session:
        rounds.watch(
            db_session, team_id=team_id, round_id=status.id, user_id=user_id, view_id=view_id
        )
        still_solving = db_session.get(MatchRound, status.id)
        finished = still_solving is None or still_solving.state != RoundState.SOLVING
    if started:
        deps.background.submit(solve_round, deps, client, round_id=status.id)
    elif finished:  # the run we joined ended while our modal opened
        show_round(deps, client, round_id=status.id)


def open_latest(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, program_id: int, trigger_id: str
) -> None:
    """Open the latest round from a DM or the App Home: the proposal, the running solve, the
    failure or publishing's progress; with no round yet, start one."""
    with deps.session_factory.begin() as db_session:
        program = _program(deps, db_session, team_id=team_id, program_id=program_id)
        status = rounds.latest_status(db_session, program_id=program.id, now=deps.clock())
        view = _round_view(db_session, status, viewer=user_id) if status else None
    if status is None or view is None:  # no round yet: start the program's first
        start_round(
            deps,
            client,
            team_id=team_id,
            user_id=user_id,
            program_id=program_id,
            show=opened(client, trigger_id),
        )
        return
    view_id = opened(client, trigger_id)(view)
    if status.state in (RoundState.SOLVING, RoundState.PUBLISHING):
        with deps.session_factory.begin() as db_session:
            rounds.watch(
                db_session, team_id=team_id, round_id=status.id, user_id=user_id, view_id=view_id
            )


def forbid(deps: Deps, *, team_id: str, people: tuple[str, str]) -> str:
    """Never pair these two in the open program; returns its name."""
    with deps.session_factory.begin() as db_session:
        program = _program(deps, db_session, team_id=team_id, program_id=None)
        forbid_people(db_session, program=program, user_ids=people)
        return program.name


def adjust(deps: Deps, *, team_id: str, program_id: int, pair_id: int, verb: str) -> View:
    """Remove a pair (those two are never paired again), or pin or unpin it; the review
    as it stands after."""
    with deps.session_factory.begin() as db_session:
        program = _program(deps, db_session, team_id=team_id, program_id=program_id)
        rounds.require_editable(db_session, program_id=program.id, now=deps.clock())
        if verb == "remove":
            remove_pair(db_session, team_id=program.team_id, pair_id=pair_id)
            db_session.flush()
            rounds.refresh_figures(db_session, program=program)
        else:
            set_pinned(db_session, team_id=program.team_id, pair_id=pair_id, pinned=verb == "pin")
        return proposal_modal(
            current_proposal(db_session, program=program, limit=PAIRS_SHOWN),
            notice=NOTICES.get(verb),
        )


def publish(
    deps: Deps, *, team_id: str, user_id: str, program_id: int, round_id: int | None, view_id: str
) -> View:
    """Publish the reviewed round (pairs active, every message queued, once); the modal it
    was published from follows the dispatcher's progress."""
    with deps.session_factory.begin() as db_session:
        program = _program(deps, db_session, team_id=team_id, program_id=program_id)
        found = rounds.publish_round(
            db_session, program=program, round_id=round_id, user_id=user_id, now=deps.clock()
        )
        rounds.watch(
            db_session, team_id=team_id, round_id=found.id, user_id=user_id, view_id=view_id
        )
        return publishing_modal(rounds.status_of(db_session, found))


def closed(deps: Deps, *, team_id: str, user_id: str, round_id: int, view_id: str) -> None:
    """The coordinator closed a round's modal: news of it comes by DM instead."""
    with deps.session_factory.begin() as db_session:
        rounds.unwatch(
            db_session, team_id=team_id, round_id=round_id, user_id=user_id, view_id=view_id
        )


def opened(client: WebClient, trigger_id: str) -> Show:
    """Show a round in a modal opened on this trigger."""
    return lambda view: str(client.views_open(trigger_id=trigger_id, view=view)["view"]["id"])


def updated(client: WebClient, view_id: str) -> Show:
    """Show a round in the modal the person is looking at."""

    def show(view: View) -> str:
        client.views_update(view_id=view_id, view=view)
        return view_id

    return show
