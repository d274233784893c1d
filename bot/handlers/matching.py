"""`/mentoring match`: solve, review, adjust and publish pairs (coordinators only).

A solve can outlast the 3 seconds Slack honours a trigger for, so the review modal opens at
once saying what is being matched, the solve runs in the background, and the modal is filled
when it is done (or, if it was closed, the coordinator gets a DM and finds it in the App Home).
Publishing queues every message in the outbox; the modal then shows the dispatcher's progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import (
    Deps,
    OutOfDateError,
    record_id,
    selected_value,
    team_id_of,
    user_id_of,
)
from bot.handlers.home import publish_home
from bot.handlers.slack_users import mentioned_users
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
from bot.views.ids import ActionId, CallbackId
from bot.views.matching import (
    PAIRS_SHOWN,
    MatchMetadata,
    failed_modal,
    proposal_modal,
    publishing_modal,
    solving_modal,
)
from bot.views.messages import HelpEntry
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
            publish_home(deps, client, team_id=status.team_id, user_id=user)
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
            show=lambda v: _opened(client, trigger_id, v),
        )
        return
    view_id = _opened(client, trigger_id, view)
    if status.state in (RoundState.SOLVING, RoundState.PUBLISHING):
        with deps.session_factory.begin() as db_session:
            rounds.watch(
                db_session, team_id=team_id, round_id=status.id, user_id=user_id, view_id=view_id
            )


def _opened(client: WebClient, trigger_id: str, view: View) -> str:
    return str(client.views_open(trigger_id=trigger_id, view=view)["view"]["id"])


def _updated(client: WebClient, view_id: str, view: View) -> str:
    client.views_update(view_id=view_id, view=view)
    return view_id


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    def do_match(call: CommandCall) -> None:
        require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
        if call.args.lower().startswith("forbid"):
            do_forbid(call)
            return
        call.ack()
        start_round(
            deps,
            call.client,
            team_id=call.team_id,
            user_id=call.user_id,
            program_id=None,
            show=lambda view: _opened(call.client, call.trigger_id, view),
            tell=lambda text: call.respond(response_type="ephemeral", text=text),
        )

    def do_forbid(call: CommandCall) -> None:
        people = mentioned_users(call.args)
        if len(people) != 2:
            raise DomainError(f"Mention the two people: `{COMMAND} match forbid @one @other`.")
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=call.team_id, program_id=None)
            forbid_people(db_session, program=program, user_ids=(people[0], people[1]))
        call.ack(
            response_type="ephemeral",
            text=f"Done: <@{people[0]}> and <@{people[1]}> will not be paired in "
            f"{escape(program.name)}.",
        )

    router.add(
        "match",
        do_match,
        HelpEntry(
            f"{COMMAND} match",
            "propose pairs for review; nothing is sent until you publish",
            coordinators_only=True,
        ),
    )

    def _check(client: WebClient, body: dict[str, Any]) -> tuple[str, MatchMetadata]:
        """(team, modal's metadata) of a review modal, once its user is confirmed a
        coordinator. Checked before the caller's transaction opens: the check reads the
        database too."""
        team_id = team_id_of(body)
        require_coordinator(deps, client, team_id=team_id, user_id=user_id_of(body))
        return team_id, MatchMetadata.load(body["view"].get("private_metadata"))

    @app.action(ActionId.MATCH_PAIR_MENU)
    def on_pair_menu(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        verb, _, raw_pair_id = selected_value(action).partition(":")
        if verb not in ("remove", "pin", "unpin"):
            raise OutOfDateError
        pair_id = record_id(raw_pair_id)
        ack()
        team_id, metadata = _check(client, body)
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=team_id, program_id=metadata.program_id)
            rounds.require_editable(db_session, program_id=program.id, now=deps.clock())
            if verb == "remove":
                remove_pair(db_session, team_id=program.team_id, pair_id=pair_id)
                db_session.flush()
                rounds.refresh_figures(db_session, program=program)
            else:
                set_pinned(
                    db_session, team_id=program.team_id, pair_id=pair_id, pinned=verb == "pin"
                )
            view = proposal_modal(
                current_proposal(db_session, program=program, limit=PAIRS_SHOWN),
                notice=NOTICES.get(verb),
            )
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    @app.action(ActionId.MATCH_RERUN)
    def on_rerun(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, metadata = _check(client, body)
        start_round(
            deps,
            client,
            team_id=team_id,
            user_id=user_id_of(body),
            program_id=metadata.program_id,
            show=lambda view: _updated(client, body["view"]["id"], view),
        )

    @app.action(ActionId.OPEN_PROPOSAL)
    def on_open_proposal(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        program_id = record_id(action.get("value"))
        ack()
        team_id = team_id_of(body)
        user_id = user_id_of(body)
        require_coordinator(deps, client, team_id=team_id, user_id=user_id)
        open_latest(
            deps,
            client,
            team_id=team_id,
            user_id=user_id,
            program_id=program_id,
            trigger_id=body["trigger_id"],
        )

    @app.action(ActionId.MATCH_PUBLISH)
    def on_publish(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, metadata = _check(client, body)
        user_id, view_id = user_id_of(body), body["view"]["id"]
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=team_id, program_id=metadata.program_id)
            found = rounds.publish_round(
                db_session,
                program=program,
                round_id=metadata.round_id or None,
                user_id=user_id,
                now=deps.clock(),
            )
            rounds.watch(
                db_session, team_id=team_id, round_id=found.id, user_id=user_id, view_id=view_id
            )
            status = rounds.status_of(db_session, found)
        # Published and queued: from here on the dispatcher sends, and the modal follows it.
        client.views_update(view_id=view_id, view=publishing_modal(status))

    @app.view_closed(CallbackId.MATCH_REVIEW)
    def on_closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        metadata = MatchMetadata.load(body["view"].get("private_metadata"))
        if not metadata.round_id:
            return
        with deps.session_factory.begin() as db_session:
            rounds.unwatch(
                db_session,
                team_id=team_id_of(body),
                round_id=metadata.round_id,
                user_id=user_id_of(body),
                view_id=body["view"]["id"],
            )
