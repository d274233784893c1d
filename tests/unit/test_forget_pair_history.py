"""Forget-me in a pair that has a history: sessions booked, goals written, reminders queued.

The partner keeps the pair, its sessions and the program's figures; nothing left names the
forgotten person or holds what they wrote about themselves.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.services import outbox
from bot.services.participation import forget
from models import Goal, MatchRound, MentoringSession, OutboxMessage, Pair
from models.enums import Side
from tests.factories import (
    BOOKED_AT,
    MENTEE_GOALS,
    MENTEE_USER,
    MENTOR_GOALS,
    MENTOR_USER,
    SeededPair,
    book,
    save_goals,
    seed_pair,
)


def values_naming(session_factory: sessionmaker[Session], needle: str) -> list[str]:
    """Every column, text or JSON, in every table whose value contains `needle`."""
    found = []
    with session_factory() as db_session:
        for table in models.Base.metadata.sorted_tables:
            for row in db_session.execute(table.select()).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if needle in text:
                        found.append(f"{table.name}.{column}")
    return found


def history(session_factory: sessionmaker[Session]) -> SeededPair:
    pair = seed_pair(session_factory, now=BOOKED_AT - timedelta(days=7))
    with session_factory.begin() as db_session:
        db_session.get(Pair, pair.pair_id).reasons = [
            "Generative AI for a Finance director",
            "bridges Engineering and Finance",
        ]
    save_goals(session_factory, MENTEE_USER, MENTEE_GOALS, at=BOOKED_AT)
    save_goals(session_factory, MENTOR_USER, MENTOR_GOALS, at=BOOKED_AT)
    book(session_factory, pair, by=MENTEE_USER)  # the mentee books: the session names them
    return pair


def test_forgetting_the_mentee_leaves_nothing_that_names_them(
    session_factory: sessionmaker[Session],
) -> None:
    pair = history(session_factory)
    assert {"mentoring_sessions.scheduled_by", "outbox.channel"} <= set(
        values_naming(session_factory, MENTEE_USER)
    )
    with session_factory.begin() as db_session:
        forget(db_session, team_id=pair.team_id, user_id=MENTEE_USER, now=BOOKED_AT)

    assert values_naming(session_factory, MENTEE_USER) == []
    with session_factory() as db_session:
        kept = db_session.get(Pair, pair.pair_id)
        assert kept is not None and kept.mentee_id is None and kept.mentor_id is not None
        # The reasons described the forgotten person (their title, department): gone.
        assert kept.reasons is None
        # Their goals' words are gone; the partner's stay, and so do the counts.
        goals = db_session.scalars(select(Goal).where(Goal.pair_id == pair.pair_id)).all()
        assert [g.text for g in goals if g.side == Side.MENTEE] == ["", ""]
        assert [g.text for g in goals if g.side == Side.MENTOR] == [MENTOR_GOALS.goals[0].text]
        assert "Draft my team updates" not in json.dumps(
            [g.text for g in goals]
        ) and "LinkedIn" not in json.dumps([g.text for g in goals])
        # The session the pair booked is still part of the partner's history.
        assert db_session.scalar(select(func.count()).select_from(MentoringSession)) == 1
        # Nothing queued for the forgotten person will go out; the partner's messages will.
        channels = set(db_session.scalars(select(OutboxMessage.channel)))
        assert MENTEE_USER not in channels and MENTOR_USER in channels


def test_forgetting_the_partner_keeps_the_other_side_intact(
    session_factory: sessionmaker[Session],
) -> None:
    pair = history(session_factory)
    with session_factory.begin() as db_session:
        forget(db_session, team_id=pair.team_id, user_id=MENTOR_USER, now=BOOKED_AT)

    assert values_naming(session_factory, MENTOR_USER) == []
    with session_factory() as db_session:
        session = db_session.scalars(select(MentoringSession)).one()
        assert session.scheduled_by == MENTEE_USER  # only the forgotten person's name goes
        goals = db_session.scalars(select(Goal).where(Goal.side == Side.MENTEE)).all()
        assert sorted(g.text for g in goals) == sorted(g.text for g in MENTEE_GOALS.goals)
        assert MENTEE_USER in set(db_session.scalars(select(OutboxMessage.channel)))


def test_forgetting_someone_withdraws_their_introduction_and_leaves_rounds_unnamed(
    session_factory: sessionmaker[Session],
) -> None:
    pair = history(session_factory)
    with session_factory.begin() as db_session:
        outbox.enqueue(
            db_session,
            team_id=pair.team_id,
            dedupe_key=f"intro:{pair.pair_id}",
            kind="intro",
            channel=f"{MENTOR_USER},{MENTEE_USER}",
            payload={"pair_id": pair.pair_id},
            due_at=BOOKED_AT,
            now=BOOKED_AT,
            pair_id=pair.pair_id,
        )
        db_session.add(
            MatchRound(
                team_id=pair.team_id,
                program_id=pair.program_id,
                requested_by=MENTEE_USER,
                published_by=MENTEE_USER,
                started_at=BOOKED_AT,
                solve_deadline=BOOKED_AT,
                watchers=[{"user": MENTEE_USER, "view": "V1"}, {"user": "U0COORD", "view": "V2"}],
            )
        )
    with session_factory.begin() as db_session:
        forget(db_session, team_id=pair.team_id, user_id=MENTEE_USER, now=BOOKED_AT)

    assert values_naming(session_factory, MENTEE_USER) == []
    with session_factory() as db_session:
        assert (
            db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "intro")).all()
            == []
        )
        kept = db_session.scalars(select(MatchRound)).one()
        assert kept.watchers == [{"user": "U0COORD", "view": "V2"}]
