"""What a coordinator can change about a published pair: end it, with a reason that stays
with the coordinators, while each partner is told kindly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.errors import DomainError, NamingError
from bot.services.local_time import outside_quiet_hours
from bot.services.pairs import end_pair
from bot.services.sessions import people_of, published_pairs_of
from models import Pair

PAIR_ENDED = "pair_ended"
REASON_LENGTH = 64  # pairs.ended_reason


@dataclass(frozen=True)
class EndedPair:
    pair_id: int
    people: list[str]  # Slack ids of the partners, told kindly (no reason, no blame)


def pair_of(db_session: Session, *, team_id: str, users: list[str]) -> Pair:
    """The published pair of the one or two people named; refused when that is not exactly one."""
    if not 1 <= len(users) <= 2:
        raise DomainError("Name one person of the pair, or both if they are in several pairs.")
    pairs = [
        pair
        for pair in published_pairs_of(db_session, team_id=team_id, user_id=users[0])
        if all(user in {p.slack_user_id for p in people_of(pair)} for user in users)
    ]
    if not pairs:
        named = " and ".join(f"<@{u}>" for u in users)
        raise NamingError(f"{named}: no active pair found.")
    if len(pairs) > 1:
        raise NamingError(
            f"<@{users[0]}> is in {len(pairs)} pairs: name both people of the pair you mean."
        )
    return pairs[0]


def end_by_coordinator(
    db_session: Session, *, team_id: str, users: list[str], reason: str, now: datetime
) -> EndedPair:
    """End the pair: its pending reminders and prompts are withdrawn and each partner gets a
    kind note; the reason is kept on the pair, for coordinators (reports, exports) only."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why, for the coordinators' record (the partners never see it).")
    if len(reason) > REASON_LENGTH:
        raise DomainError(f"Please keep the reason under {REASON_LENGTH} characters.")
    pair = pair_of(db_session, team_id=team_id, users=users)
    end_pair(pair, reason=reason, now=now)
    outbox.cancel_pending_for_pair(db_session, pair_id=pair.id, now=now)
    people = people_of(pair)
    for person in people:
        partner = next((p for p in people if p is not person), None)
        outbox.enqueue(
            db_session,
            team_id=team_id,
            dedupe_key=f"{PAIR_ENDED}:{pair.id}:{person.id}",
            kind=PAIR_ENDED,
            channel=person.slack_user_id,
            payload={"partner_user": partner.slack_user_id if partner else None},
            due_at=outside_quiet_hours(now, person.timezone),
            now=now,
            pair_id=pair.id,
        )
    return EndedPair(pair_id=pair.id, people=[p.slack_user_id for p in people])
