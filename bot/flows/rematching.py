"""A coordinator's hand-made pairs: the form to choose or confirm, then the change itself
in one transaction, its messages left to the outbox."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.deps import Deps
from bot.flows.base import claim
from bot.services import rematching as rematch_rules
from bot.views.rematching import (
    RematchMetadata,
    SwapMetadata,
    done_modal,
    parse_option,
    rematch_modal,
    swap_modal,
)


def rematch_form(deps: Deps, *, team_id: str, user_id: str) -> View:
    """The people who may be paired with `user_id`, to choose from; changes nothing."""
    with deps.session_factory.begin() as db_session:
        choice = rematch_rules.rematch_options(
            db_session, team_id=team_id, user_id=user_id, now=deps.clock()
        )
    return rematch_modal(choice)


def rematch(
    deps: Deps, *, team_id: str, metadata: RematchMetadata, chosen: str | None, once: str
) -> tuple[dict[str, str], View | None]:
    """Pair the person with the chosen partner: (field errors, the modal's last page)."""
    picked = parse_option(chosen)
    if picked is None:
        return {"partner": "Choose someone."}, None
    with deps.session_factory.begin() as db_session:
        made = rematch_rules.rematch(
            db_session,
            team_id=team_id,
            person_id=metadata.person_id,
            partner_id=picked[0],
            partner_mentors=picked[1],
            now=deps.clock(),
        )
        claim(deps, db_session, once=once, team_id=team_id)
    return {}, done_modal("Paired", [made])


def swap_form(deps: Deps, *, team_id: str, users: list[str]) -> View:
    """The swap to confirm; refused, with the rule, if it would break one."""
    with deps.session_factory.begin() as db_session:
        plan = rematch_rules.swap_plan(db_session, team_id=team_id, users=users, now=deps.clock())
    return swap_modal(plan)


def swap(deps: Deps, *, team_id: str, metadata: SwapMetadata, once: str) -> View:
    with deps.session_factory.begin() as db_session:
        made = rematch_rules.swap_mentors(
            db_session, team_id=team_id, pair_ids=metadata.pair_ids, now=deps.clock()
        )
        claim(deps, db_session, once=once, team_id=team_id)
    return done_modal("Mentors swapped", list(made))
