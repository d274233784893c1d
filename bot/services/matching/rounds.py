"""Rounds of matching: solved in the background, one at a time per program, then published
through the outbox, with progress counted from the outbox rows the round queued.

A solve can take longer than Slack lets a person wait, so it runs in three steps, only the
first and last in a (short) transaction: read the pool, solve with no transaction open, store
the proposal. Publishing marks the pairs active and queues every introduction and every note
to the unmatched in one transaction, each with its own dedupe key: pressing Publish twice, or
again after a failure, queues nothing twice, and the dispatcher sends each message once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from bot.services import outbox
from bot.services.errors import DomainError
from bot.services.matching.pool import LoadedPool, load_pool
from bot.services.matching.proposals import (
    Solved,
    current_proposal,
    intros_awaiting,
    latest_round,
    proposal_counts,
    publish,
    store,
    unmatched_awaiting_note,
)
from bot.services.participation import eligible_filter
from models import MatchRound, OutboxMessage, Pair, Participant, Program
from models.enums import OutboxState, PairStatus, RoundState

# A solve still marked running after this was lost with its process (a restart, a crash): a
# few minutes, and more for a large pool (the solve takes longer).
SOLVE_LIMIT = timedelta(minutes=5)
SOLVE_LIMIT_PER_PERSON = timedelta(milliseconds=10)
MAX_WATCHERS = 20
FAILURES_LISTED = 10
INTRO, NOTE = "intro", "unmatched_note"
FINISHED = (OutboxState.SENT, OutboxState.FAILED, OutboxState.CANCELLED)


class RoundBusyError(DomainError):
    """The proposal cannot change while a solve is running."""

    def __init__(self) -> None:
        super().__init__(
            "Matching is still running for this program. Wait for its proposal, then try again."
        )


def count_pool(db_session: Session, *, program_id: int, now: datetime) -> int:
    """How many people a solve would consider now (active, not paused)."""
    count = db_session.scalar(
        select(func.count()).select_from(Participant).where(eligible_filter(program_id, now))
    )
    return int(count or 0)


def _lock_program(db_session: Session, program: Program) -> None:
    # One round starts at a time per program: on Postgres, the program row is the lock (SQLite
    # serialises writers already).
    db_session.execute(select(Program.id).where(Program.id == program.id).with_for_update())


def _expire_lost_solve(latest: MatchRound | None, now: datetime) -> None:
    if latest is not None and latest.state == RoundState.SOLVING and latest.solve_deadline <= now:
        latest.state = RoundState.FAILED
        latest.error = "the matching run stopped before it finished (the app was restarted)"
        latest.updated_at = now


def start_or_join(
    db_session: Session, *, program: Program, user_id: str, now: datetime
) -> tuple[MatchRound, bool]:
    """The program's running round, or a new one; True when this call started it."""
    _lock_program(db_session, program)
    latest = latest_round(db_session, program_id=program.id)
    _expire_lost_solve(latest, now)
    if latest is not None and latest.state == RoundState.SOLVING:
        return latest, False
    people = count_pool(db_session, program_id=program.id, now=now)
    started = MatchRound(
        team_id=program.team_id,
        program_id=program.id,
        state=RoundState.SOLVING,
        requested_by=user_id,
        people=people,
        started_at=now,
        solve_deadline=now + max(SOLVE_LIMIT, SOLVE_LIMIT_PER_PERSON * people),
        watchers=[],
        created_at=now,
        updated_at=now,
    )
    db_session.add(started)
    db_session.flush()
    return started, True


def _round(db_session: Session, *, team_id: str, round_id: int, lock: bool = False) -> MatchRound:
    found = db_session.get(MatchRound, round_id, with_for_update=lock)
    if found is None or found.team_id != team_id:
        raise DomainError("That round of matching no longer exists.")
    return found


def watch(db_session: Session, *, team_id: str, round_id: int, user_id: str, view_id: str) -> None:
    """Show the round in this modal as it moves on (solved, publishing, published)."""
    found = _round(db_session, team_id=team_id, round_id=round_id, lock=True)
    if any(w.get("closed") == view_id for w in found.watchers):
        return  # closed before we got here: its person is told by DM
    kept = [w for w in found.watchers if w.get("view") != view_id]
    found.watchers = [*kept, {"user": user_id, "view": view_id}][-MAX_WATCHERS:]


def follow(db_session: Session, *, team_id: str, round_id: int, user_id: str) -> None:
    """The person wants the round's outcome but has no modal open: they are told by DM."""
    found = _round(db_session, team_id=team_id, round_id=round_id, lock=True)
    if user_id not in (found.requested_by, *(w.get("user") for w in found.watchers)):
        found.watchers = [*found.watchers, {"user": user_id, "view": None}][-MAX_WATCHERS:]


def unwatch(
    db_session: Session, *, team_id: str, round_id: int, user_id: str, view_id: str
) -> None:
    """The modal was closed: its person is told by DM instead, when there is news. Recorded
    even if the modal's `watch` has not happened yet (a close right after the open)."""
    found = db_session.get(MatchRound, round_id, with_for_update=True)
    if found is None or found.team_id != team_id:
        return
    kept = [w for w in found.watchers if w.get("view") != view_id]
    found.watchers = [*kept, {"user": user_id, "view": None, "closed": view_id}][-MAX_WATCHERS:]


@dataclass(frozen=True)
class SolveInput:
    program: Program
    loaded: LoadedPool
    pinned: list[tuple[int, int]]  # (mentor id, mentee id) of the pairs the proposal keeps


def solve_input(db_session: Session, *, round_id: int, now: datetime) -> SolveInput | None:
    """What a running round solves over, or None if the round is no longer running."""
    found = db_session.get(MatchRound, round_id)
    if found is None or found.state != RoundState.SOLVING:
        return None
    program = db_session.get(Program, found.program_id)
    if program is None:
        return None
    pinned = [
        (mentor, mentee)
        for mentor, mentee in db_session.execute(
            select(Pair.mentor_id, Pair.mentee_id).where(
                Pair.program_id == program.id,
                Pair.status == PairStatus.PROPOSED,
                Pair.pinned.is_(True),
            )
        )
        if mentor is not None and mentee is not None
    ]
    return SolveInput(program, load_pool(db_session, program=program, now=now), pinned)


def finish_solve(
    db_session: Session, *, round_id: int, solved: Solved, now: datetime
) -> MatchRound | None:
    """Store a solve's proposal; None if the round stopped meanwhile (it is then left alone)."""
    found = db_session.get(MatchRound, round_id, with_for_update=True)
    if found is None or found.state != RoundState.SOLVING:
        return None
    program = db_session.get(Program, found.program_id)
    assert program is not None
    store(db_session, program=program, solved=solved, now=now)
    found.pairs, found.unmatched = proposal_counts(db_session, program_id=program.id)
    found.top_topic_covered, found.cross_department = (
        solved.top_topic_covered,
        solved.cross_department,
    )
    found.gap = solved.gap
    found.state, found.solved_at, found.updated_at = RoundState.READY, now, now
    return found


def _refresh_figures(db_session: Session, found: MatchRound, program: Program) -> None:
    proposal = current_proposal(db_session, program=program)
    found.pairs, found.unmatched = proposal.total_pairs, proposal.total_unmatched
    found.top_topic_covered = proposal.top_topic_covered
    found.cross_department = proposal.cross_department
    found.gap = None  # the bound is the solve's; a proposal changed by hand is not


def refresh_figures(db_session: Session, *, program: Program) -> None:
    """After the proposal changed by hand (a pair removed): its figures again."""
    found = latest_round(db_session, program_id=program.id)
    if found is not None and found.state == RoundState.READY:
        _refresh_figures(db_session, found, program)


def fail_solve(
    db_session: Session, *, round_id: int, error: str, now: datetime
) -> MatchRound | None:
    """The solve failed: the round says why, in words."""
    found = db_session.get(MatchRound, round_id, with_for_update=True)
    if found is None or found.state != RoundState.SOLVING:
        return None
    found.state, found.error, found.updated_at = RoundState.FAILED, error, now
    return found


def require_editable(db_session: Session, *, program_id: int, now: datetime) -> None:
    """Refuse a change to the proposal while a solve would overwrite it."""
    latest = latest_round(db_session, program_id=program_id)
    _expire_lost_solve(latest, now)
    if latest is not None and latest.state == RoundState.SOLVING:
        raise RoundBusyError


def publish_round(
    db_session: Session, *, program: Program, round_id: int | None, user_id: str, now: datetime
) -> MatchRound:
    """Publish the proposal the coordinator reviewed: pairs become active, and every
    introduction and note is queued, once. Pressing Publish again queues nothing new."""
    _lock_program(db_session, program)
    latest = latest_round(db_session, program_id=program.id)
    _expire_lost_solve(latest, now)
    if latest is None:
        raise DomainError("There is no proposal to publish yet: run `/mentoring match` first.")
    if round_id is not None and round_id != latest.id:
        reviewed = _round(db_session, team_id=program.team_id, round_id=round_id)
        if reviewed.state in (RoundState.PUBLISHING, RoundState.PUBLISHED):
            return reviewed  # pressed again: already published
        if latest.state == RoundState.SOLVING:
            raise RoundBusyError
        raise DomainError(
            "This proposal was replaced by a newer one. "
            "Open the latest with `/mentoring match` before publishing."
        )
    if latest.state == RoundState.SOLVING:
        raise RoundBusyError
    if latest.state == RoundState.FAILED:
        raise DomainError("This round of matching failed, so there is nothing to publish: re-run.")
    if latest.state == RoundState.READY:
        publish(db_session, program=program, now=now)
        latest.state, latest.published_by, latest.published_at = (
            RoundState.PUBLISHING,
            user_id,
            now,
        )
    queue_round_messages(db_session, program=program, found=latest, now=now)
    latest.updated_at = now
    return latest


def queue_round_messages(
    db_session: Session, *, program: Program, found: MatchRound, now: datetime
) -> None:
    """Queue an introduction for every published pair not yet introduced and a note for
    every unmatched person not yet told; a message queued before is not queued again."""
    messages = [
        outbox.Queued(
            dedupe_key=f"intro:{pair_id}",
            kind=INTRO,
            channel=f"{mentor_user},{mentee_user}",
            payload={"pair_id": pair_id},
            pair_id=pair_id,
            round_id=found.id,
        )
        for pair_id, mentor_user, mentee_user in intros_awaiting(db_session, program_id=program.id)
    ]
    messages += [
        outbox.Queued(
            dedupe_key=f"unmatched:{found.id}:{participant_id}",
            kind=NOTE,
            channel=user_id,
            payload={"program_id": program.id, "reason": reason, "unmatched_id": row_id},
            round_id=found.id,
        )
        for row_id, participant_id, user_id, reason in unmatched_awaiting_note(
            db_session, program_id=program.id
        )
    ]
    outbox.enqueue_many(db_session, team_id=program.team_id, messages=messages, due_at=now, now=now)
    counts = _counts(db_session, round_id=found.id)
    found.intros_queued = sum(counts.get((INTRO, s), 0) for s in OutboxState)
    found.notes_queued = sum(counts.get((NOTE, s), 0) for s in OutboxState)


# -- progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undelivered:
    """A message of the round that was not sent, and why (Slack's error code, or ours)."""

    kind: str
    channel: str  # the person, or "mentor,mentee" for an introduction
    error: str


@dataclass(frozen=True)
class Progress:
    intros: int = 0
    intros_sent: int = 0
    intros_undelivered: int = 0
    notes: int = 0
    notes_sent: int = 0
    notes_undelivered: int = 0
    undelivered: list[Undelivered] = field(default_factory=list)  # the first few

    @property
    def finished(self) -> int:
        return self.intros_sent + self.intros_undelivered + self.notes_sent + self.notes_undelivered

    @property
    def done(self) -> bool:
        return self.finished >= self.intros + self.notes


def _counts(db_session: Session, *, round_id: int) -> dict[tuple[str, OutboxState], int]:
    return {
        (kind, state): count
        for kind, state, count in db_session.execute(
            select(OutboxMessage.kind, OutboxMessage.state, func.count())
            .where(OutboxMessage.round_id == round_id)
            .group_by(OutboxMessage.kind, OutboxMessage.state)
        )
    }


def progress(db_session: Session, *, round_id: int) -> Progress:
    """How far the round's introductions and notes have got, with the first that failed."""
    counts = _counts(db_session, round_id=round_id)

    def total(kind: str, states: tuple[OutboxState, ...] = tuple(OutboxState)) -> int:
        return sum(counts.get((kind, s), 0) for s in states)

    undelivered = [
        Undelivered(kind, channel, error or "not sent")
        for kind, channel, error in db_session.execute(
            select(OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.last_error)
            .where(
                OutboxMessage.round_id == round_id,
                OutboxMessage.state.in_((OutboxState.FAILED, OutboxState.CANCELLED)),
            )
            .order_by(OutboxMessage.kind, OutboxMessage.id)
            .limit(FAILURES_LISTED)
        )
    ]
    gone = (OutboxState.FAILED, OutboxState.CANCELLED)
    return Progress(
        intros=total(INTRO),
        intros_sent=total(INTRO, (OutboxState.SENT,)),
        intros_undelivered=total(INTRO, gone),
        notes=total(NOTE),
        notes_sent=total(NOTE, (OutboxState.SENT,)),
        notes_undelivered=total(NOTE, gone),
        undelivered=undelivered,
    )


@dataclass(frozen=True)
class RoundStatus:
    """A round as coordinators see it (plain data, for views)."""

    id: int
    team_id: str
    program_id: int
    program_name: str
    state: RoundState
    people: int
    requested_by: str
    started_at: datetime
    error: str | None
    pairs: int
    unmatched: int
    published_by: str | None
    progress: Progress | None
    watchers: list[dict[str, Any]]

    def watching_views(self) -> list[tuple[str, str]]:
        """(user, view id) of the modals open on the round."""
        return [(w["user"], w["view"]) for w in self.watchers if w.get("view")]

    def interested_users(self) -> list[str]:
        """Who asked for the round or watched it, each once."""
        users = [self.requested_by, *(w["user"] for w in self.watchers), self.published_by]
        return list(dict.fromkeys(u for u in users if u))  # a forgotten person is ""


def status_of(db_session: Session, found: MatchRound) -> RoundStatus:
    program = db_session.get(Program, found.program_id)
    shows_progress = found.state in (RoundState.PUBLISHING, RoundState.PUBLISHED)
    return RoundStatus(
        id=found.id,
        team_id=found.team_id,
        program_id=found.program_id,
        program_name=program.name if program else "",
        state=found.state,
        people=found.people,
        requested_by=found.requested_by,
        started_at=found.started_at,
        error=found.error,
        pairs=found.pairs,
        unmatched=found.unmatched,
        published_by=found.published_by,
        progress=progress(db_session, round_id=found.id) if shows_progress else None,
        watchers=list(found.watchers),
    )


def latest_status(db_session: Session, *, program_id: int, now: datetime) -> RoundStatus | None:
    """The program's latest round, for the App Home (a lost solve shows as failed)."""
    latest = latest_round(db_session, program_id=program_id)
    if latest is None:
        return None
    if latest.state == RoundState.SOLVING and latest.solve_deadline <= now:
        latest = db_session.get(MatchRound, latest.id, with_for_update=True) or latest
        _expire_lost_solve(latest, now)
    return status_of(db_session, latest)


def advance_publishing(db_session: Session, *, now: datetime) -> list[RoundStatus]:
    """Rounds whose publishing moved on since it was last shown; a round whose every message
    is sent or failed for good becomes published."""
    moved = []
    for found in db_session.scalars(
        select(MatchRound)
        .where(MatchRound.state == RoundState.PUBLISHING)
        .order_by(MatchRound.id)
        .with_for_update(skip_locked=True)
    ):
        now_at = progress(db_session, round_id=found.id)
        if now_at.finished == found.progress_shown and not now_at.done:
            continue
        found.progress_shown, found.updated_at = now_at.finished, now
        if now_at.done:
            found.state, found.finished_at = RoundState.PUBLISHED, now
        moved.append(status_of(db_session, found))
    return moved


# -- after a message of the round is sent ---------------------------------------------------------


def introduced(db_session: Session, *, pair_id: int, channel: str, now: datetime) -> None:
    """The pair's introduction reached their group DM."""
    pair = db_session.get(Pair, pair_id)
    if pair is not None and pair.intro_sent_at is None:
        pair.intro_channel, pair.intro_sent_at, pair.updated_at = channel, now, now


def pair_to_introduce(db_session: Session, *, pair_id: int) -> Pair | None:
    """The pair, with both people, if it still wants its introduction."""
    pair = db_session.scalars(
        select(Pair)
        .where(Pair.id == pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    ).first()
    if pair is None or pair.intro_sent_at is not None or pair.status == PairStatus.ENDED:
        return None
    if pair.mentor is None or pair.mentee is None or pair.status == PairStatus.PROPOSED:
        return None
    return pair
