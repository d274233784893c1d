"""`/mentoring match`: compute, review, adjust and publish pairs (coordinators only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
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
from bot.handlers.slack_users import mentioned_users
from bot.services.errors import DomainError
from bot.services.matching.proposals import (
    current_proposal,
    forbid_people,
    pairs_awaiting_intro,
    propose,
    publish,
    remove_pair,
    set_pinned,
    unmatched_awaiting_note,
)
from bot.services.programs import get_or_create_open_program
from bot.views.ids import ActionId
from bot.views.matching import (
    MatchMetadata,
    intro_message,
    proposal_modal,
    published_modal,
    unmatched_note,
)
from bot.views.messages import HelpEntry
from bot.views.text import escape
from models import Program

NOTICES = {
    "remove": "Pair removed: those two will not be paired again. Re-run to match them with others.",
    "pin": "Pair pinned: it stays when you re-run.",
    "unpin": "Pair unpinned.",
}


def _program(deps: Deps, db_session: Session, *, team_id: str, program_id: int | None) -> Program:
    if program_id:
        program = db_session.get(Program, program_id)
        if program is None or program.team_id != team_id:
            raise DomainError("That program no longer exists.")
        return program
    return get_or_create_open_program(db_session, team_id=team_id, now=deps.clock())


def introduce(deps: Deps, client: WebClient, *, program_id: int) -> tuple[int, int]:
    """Send every missing introduction and unmatched note once; returns (pairs, notes)."""
    with deps.session_factory.begin() as db_session:
        program = db_session.get(Program, program_id)
        assert program is not None
        introduced = 0
        for pair in pairs_awaiting_intro(db_session, program_id=program_id):
            if pair.mentor is None or pair.mentee is None:
                continue
            opened = client.conversations_open(
                users=f"{pair.mentor.slack_user_id},{pair.mentee.slack_user_id}"
            )
            text, blocks = intro_message(pair, program.name)
            channel = opened["channel"]["id"]
            client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            pair.intro_channel, pair.intro_sent_at = channel, deps.clock()
            introduced += 1
        noted = 0
        for row, user_id in unmatched_awaiting_note(db_session, program_id=program_id):
            text, blocks = unmatched_note(program.name, row.reason)
            client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
            row.notified_at = deps.clock()
            noted += 1
    return introduced, noted


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    def do_match(call: CommandCall) -> None:
        require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
        if call.args.lower().startswith("forbid"):
            do_forbid(call)
            return
        call.ack()
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=call.team_id, program_id=None)
            view = proposal_modal(propose(db_session, program=program, now=deps.clock()))
        call.client.views_open(trigger_id=call.trigger_id, view=view)

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

    def _update(client: WebClient, body: dict[str, Any], view: Any) -> None:
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    def _check(client: WebClient, body: dict[str, Any]) -> tuple[str, int]:
        """(team, program) of a review modal, once its user is confirmed a coordinator.

        Checked before the caller's transaction opens: the check reads the database too.
        """
        team_id = team_id_of(body)
        require_coordinator(deps, client, team_id=team_id, user_id=user_id_of(body))
        return team_id, MatchMetadata.load(body["view"].get("private_metadata")).program_id

    @app.action(ActionId.MATCH_PAIR_MENU)
    def on_pair_menu(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        verb, _, raw_pair_id = selected_value(action).partition(":")
        if verb not in ("remove", "pin", "unpin"):
            raise OutOfDateError
        pair_id = record_id(raw_pair_id)
        ack()
        team_id, program_id = _check(client, body)
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=team_id, program_id=program_id)
            if verb == "remove":
                remove_pair(db_session, team_id=program.team_id, pair_id=pair_id)
            else:
                set_pinned(
                    db_session, team_id=program.team_id, pair_id=pair_id, pinned=verb == "pin"
                )
            view = proposal_modal(
                current_proposal(db_session, program=program), notice=NOTICES.get(verb)
            )
        _update(client, body, view)

    @app.action(ActionId.MATCH_RERUN)
    def on_rerun(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, program_id = _check(client, body)
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=team_id, program_id=program_id)
            view = proposal_modal(
                propose(db_session, program=program, now=deps.clock()),
                notice="Re-run done: pinned pairs were kept.",
            )
        _update(client, body, view)

    @app.action(ActionId.MATCH_PUBLISH)
    def on_publish(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, program_id = _check(client, body)
        with deps.session_factory.begin() as db_session:
            program = _program(deps, db_session, team_id=team_id, program_id=program_id)
            publish(db_session, program=program, now=deps.clock())
            program_id, name = program.id, program.name
        pairs, notes = introduce(deps, client, program_id=program_id)
        _update(client, body, published_modal(name, pairs=pairs, notified=notes))
