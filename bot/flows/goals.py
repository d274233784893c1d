"""Goals and ground rules: each person's form, saving it, the summary once both agreed, and
marking goals achieved or dropped."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.deps import Deps
from bot.flows.base import claim
from bot.flows.effects import Effects, Post, SendNow
from bot.services import outbox
from bot.services.agreements import (
    AgreementInput,
    PartnerNotice,
    agreement_form,
    claim_summary,
    goals_overview,
    membership_of,
    save_agreement,
    set_goal_status,
    validate_agreement,
)
from bot.services.pairs import team_of_pair
from bot.views.goals import (
    GoalsMetadata,
    achieved_note,
    goals_list,
    goals_modal,
    partner_notice,
    saved_view,
)
from models.enums import GoalStatus


def goals_form(deps: Deps, *, team_id: str, user_id: str, pair_id: int) -> View:
    """The person's goals and ground rules form for the pair (only its two people may)."""
    with deps.session_factory.begin() as db_session:
        membership = membership_of(db_session, team_id=team_id, user_id=user_id, pair_id=pair_id)
        form = agreement_form(db_session, membership=membership)
        partner = membership.partner
        return goals_modal(
            form=form,
            side=membership.side,
            partner_user=partner.slack_user_id if partner else None,
            metadata=GoalsMetadata(pair_id=pair_id, goal_ids=form.goal_ids),
        )


@dataclass(frozen=True)
class GoalsAnswer:
    """What `/mentoring goals` shows: the form of the one pair to agree on, or the list."""

    form_pair_id: int | None  # open this pair's form
    pairs: int
    partner: str | None  # the first pair's partner (for "you have N pairs")
    listing: tuple[str, list[Block]] | None


def goals(deps: Deps, *, team_id: str, user_id: str, editing: bool) -> GoalsAnswer:
    with deps.session_factory.begin() as db_session:
        overview = goals_overview(db_session, team_id=team_id, user_id=user_id)
        first = overview[0]
        if editing or (len(overview) == 1 and not first.i_confirmed):
            return GoalsAnswer(
                form_pair_id=first.pair_id,
                pairs=len(overview),
                partner=first.partner,
                listing=None,
            )
        return GoalsAnswer(None, len(overview), None, goals_list(overview))


def save_goals(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    metadata: GoalsMetadata,
    values: AgreementInput,
    once: str,
) -> tuple[dict[str, str], View | None, Effects]:
    """Save one person's form: (field errors, the form's saved view, effects)."""
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        # Checked again here: a form is no proof its submitter belongs to the pair.
        membership = membership_of(
            db_session, team_id=team_id, user_id=user_id, pair_id=metadata.pair_id, lock=True
        )
        errors = validate_agreement(values=values, side=membership.side, now=now)
        if errors:
            return errors, None, Effects()
        claim(deps, db_session, once=once, team_id=team_id)
        outcome = save_agreement(
            db_session, membership=membership, values=values, goal_ids=metadata.goal_ids, now=now
        )
    then = Effects()
    if outcome.notice != PartnerNotice.NONE and outcome.partner_user:
        text, blocks = partner_notice(outcome.notice, from_user=user_id, pair_id=metadata.pair_id)
        then.add(Post(outcome.partner_user, text, blocks))
    then.add(*summary_once_agreed(deps, pair_id=metadata.pair_id))
    return {}, saved_view(outcome), then


def summary_once_agreed(deps: Deps, *, pair_id: int) -> Effects:
    """Post the pair's agreement in their group DM once both agreed; never twice.

    The claim and the queued post commit together; the post is then sent at once, and should
    Slack refuse it now, the dispatcher sends it later.
    """
    now = deps.clock()
    key = f"agreement:{pair_id}:{now.isoformat()}"
    with deps.session_factory.begin() as db_session:
        summary = claim_summary(db_session, pair_id=pair_id, now=now)
        if summary is None:
            return Effects()
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
    return Effects().add(SendNow(key))


def mark_goal(
    deps: Deps, *, team_id: str, user_id: str, goal_id: int, status: GoalStatus
) -> tuple[tuple[str, list[Block]], Effects]:
    """Mark one of the pair's goals; returns the refreshed list, and the pair's group DM
    hears of an achieved goal."""
    with deps.session_factory.begin() as db_session:
        change = set_goal_status(
            db_session,
            team_id=team_id,
            user_id=user_id,
            goal_id=goal_id,
            status=status,
            now=deps.clock(),
        )
        channel = change.intro_channel
        note = achieved_note(user_id=user_id, goal=change.goal)
        listing = goals_list(goals_overview(db_session, team_id=team_id, user_id=user_id))
        achieved = change.changed and change.goal.status == GoalStatus.ACHIEVED
    then = Effects()
    if achieved and channel:
        then.add(Post(channel, note))
    return listing, then
