"""`/mentoring goals`: each pair's goals both ways and its shared ground rules."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.deps import Deps, record_id, selected_value, team_id_of, user_id_of
from bot.jobs.dispatcher import send_now
from bot.services import outbox
from bot.services.agreements import (
    PartnerNotice,
    agreement_form,
    claim_summary,
    goals_overview,
    membership_of,
    save_agreement,
    set_goal_status,
    validate_agreement,
)
from bot.services.errors import DomainError
from bot.services.idempotency import claim_once
from bot.services.pairs import team_of_pair
from bot.views.goals import (
    GoalsMetadata,
    achieved_note,
    goals_list,
    goals_modal,
    mention,
    parse_goals_state,
    partner_notice,
    saved_view,
)
from bot.views.ids import ActionId, CallbackId
from bot.views.messages import HelpEntry
from bot.views.state import state_values
from models.enums import GoalStatus


def open_goals_form(
    deps: Deps, client: WebClient, *, trigger_id: str, team_id: str, user_id: str, pair_id: int
) -> None:
    """Open the person's goals and ground rules form for the pair (only its two people may)."""
    with deps.session_factory.begin() as db_session:
        membership = membership_of(db_session, team_id=team_id, user_id=user_id, pair_id=pair_id)
        form = agreement_form(db_session, membership=membership)
        partner = membership.partner
        view = goals_modal(
            form=form,
            side=membership.side,
            partner_user=partner.slack_user_id if partner else None,
            metadata=GoalsMetadata(pair_id=pair_id, goal_ids=form.goal_ids),
        )
    client.views_open(trigger_id=trigger_id, view=view)


def post_summary(deps: Deps, client: WebClient, *, pair_id: int) -> None:
    """Post the pair's agreement in their group DM once both agreed; never twice.

    The claim and the queued post commit together; the post is then sent at once, and should
    Slack refuse it now, the dispatcher sends it later.
    """
    now = deps.clock()
    key = f"agreement:{pair_id}:{now.isoformat()}"
    with deps.session_factory.begin() as db_session:
        summary = claim_summary(db_session, pair_id=pair_id, now=now)
        if summary is None:
            return
        outbox.enqueue(
            db_session,
            team_id=team_of_pair(db_session, pair_id=pair_id),
            dedupe_key=key,
            kind="agreement_summary",
            channel=summary.channel,
            payload={"pair_id": pair_id, "claimed_at": now.isoformat()},
            due_at=now,
            now=now,
            pair_id=pair_id,
        )
    send_now(deps.session_factory, client, dedupe_key=key, now=now)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    def do_goals(call: CommandCall) -> None:
        editing = call.args.lower() == "edit"
        if call.args and not editing:
            raise DomainError(f"Try `{COMMAND} goals`, or `{COMMAND} goals edit`.")
        with deps.session_factory.begin() as db_session:
            overview = goals_overview(db_session, team_id=call.team_id, user_id=call.user_id)
        first = overview[0]
        if editing or (len(overview) == 1 and not first.i_confirmed):
            call.ack()
            open_goals_form(
                deps,
                call.client,
                trigger_id=call.trigger_id,
                team_id=call.team_id,
                user_id=call.user_id,
                pair_id=first.membership.pair.id,
            )
            if len(overview) > 1:
                partner = first.membership.partner
                call.respond(
                    response_type="ephemeral",
                    text=f"You have {len(overview)} mentoring pairs: this form is for the one "
                    f"with {mention(partner.slack_user_id if partner else None)}. "
                    f"`{COMMAND} goals` lists them all, each with its own button.",
                )
            return
        text, blocks = goals_list(overview)
        call.ack(response_type="ephemeral", text=text, blocks=blocks)

    router.add(
        "goals",
        do_goals,
        HelpEntry(
            f"{COMMAND} goals [edit]",
            "your pair's goals and ground rules: set them, edit them, mark goals achieved",
        ),
    )

    @app.action(ActionId.START_GOALS)
    def on_start_goals(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        pair_id = record_id(action.get("value"))
        ack()
        open_goals_form(
            deps,
            client,
            trigger_id=body["trigger_id"],
            team_id=team_id_of(body),
            user_id=user_id_of(body),
            pair_id=pair_id,
        )

    @app.view(CallbackId.GOALS)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        metadata = GoalsMetadata.load(view.get("private_metadata"))
        values = parse_goals_state(state_values(view))
        with deps.session_factory.begin() as db_session:
            # Checked again here: a form is no proof its submitter belongs to the pair.
            membership = membership_of(
                db_session, team_id=team_id, user_id=user_id, pair_id=metadata.pair_id, lock=True
            )
            errors = validate_agreement(values=values, side=membership.side, now=deps.clock())
            if errors:
                ack(response_action="errors", errors=errors)
                return
            if not claim_once(
                db_session, key=f"view:{view['id']}", team_id=team_id, now=deps.clock()
            ):
                ack()  # the same form submitted twice: it was saved the first time
                return
            outcome = save_agreement(
                db_session,
                membership=membership,
                values=values,
                goal_ids=metadata.goal_ids,
                now=deps.clock(),
            )
        ack(response_action="update", view=saved_view(outcome))
        if outcome.notice != PartnerNotice.NONE and outcome.partner_user:
            text, blocks = partner_notice(
                outcome.notice, from_user=user_id, pair_id=metadata.pair_id
            )
            client.chat_postMessage(channel=outcome.partner_user, text=text, blocks=blocks)
        post_summary(deps, client, pair_id=metadata.pair_id)

    @app.action(ActionId.GOAL_MENU)
    def on_goal_menu(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        verb, _, goal_id = selected_value(action).partition(":")
        if verb not in (GoalStatus.ACHIEVED, GoalStatus.DROPPED):
            raise DomainError("That goal menu is out of date. Try `/mentoring goals` again.")
        goal = record_id(goal_id)
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        with deps.session_factory.begin() as db_session:
            change = set_goal_status(
                db_session,
                team_id=team_id,
                user_id=user_id,
                goal_id=goal,
                status=GoalStatus(verb),
                now=deps.clock(),
            )
            channel = change.membership.pair.intro_channel
            note = achieved_note(user_id=user_id, goal=change.goal)
            text, blocks = goals_list(goals_overview(db_session, team_id=team_id, user_id=user_id))
        respond(replace_original=True, response_type="ephemeral", text=text, blocks=blocks)
        if change.changed and change.goal.status == GoalStatus.ACHIEVED and channel:
            client.chat_postMessage(channel=channel, text=note)
