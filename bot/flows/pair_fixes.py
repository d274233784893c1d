"""A coordinator's changes to a pair."""

from __future__ import annotations

from bot.deps import Deps
from bot.services import pair_fixes as fix_rules
from bot.views.pair_fixes import pair_ended_receipt


def end_pair(deps: Deps, *, team_id: str, users: list[str], reason: str) -> str:
    """End the named pair; the partners' notes go through the outbox. The coordinator's receipt."""
    with deps.session_factory.begin() as db_session:
        ended = fix_rules.end_by_coordinator(
            db_session, team_id=team_id, users=users, reason=reason, now=deps.clock()
        )
    return pair_ended_receipt(ended.people)
