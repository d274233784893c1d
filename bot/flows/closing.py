"""The end of a program, as people answer its close-out."""

from __future__ import annotations

from bot.deps import Deps
from bot.services import closing as closing_rules
from bot.services import next_steps
from bot.views.closing import next_step_receipt, recognition_receipt
from models.enums import NextStep


def agree_to_recognition(deps: Deps, *, team_id: str, user_id: str, pair_id: int) -> str:
    """Record the person's yes (the post is queued once both agree); what they read back."""
    with deps.session_factory.begin() as db_session:
        outcome = closing_rules.agree_to_recognition(
            db_session, team_id=team_id, pair_id=pair_id, user_id=user_id, now=deps.clock()
        )
    return recognition_receipt(
        channel=outcome.channel, partner_user=outcome.partner_user, both=outcome.both_agreed
    )


def choose_next_step(
    deps: Deps, *, team_id: str, user_id: str, pair_id: int, step: NextStep
) -> str:
    """Record what the person wants after the program; what they read back."""
    with deps.session_factory.begin() as db_session:
        chosen = next_steps.choose(
            db_session,
            team_id=team_id,
            pair_id=pair_id,
            user_id=user_id,
            step=step,
            now=deps.clock(),
        )
    return next_step_receipt(chosen.step, chosen.role)
