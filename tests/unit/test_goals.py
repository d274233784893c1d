"""Goals and ground rules as services, on SQLite and Postgres, with `now` passed in; the form's
views round-tripped through slack_sdk."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.agreements import (
    AgreementField,
    AgreementInput,
    GoalField,
    GoalInput,
    NoPairError,
    NotInPairError,
    PairEndedError,
    PartnerNotice,
    RulesInput,
    SaveOutcome,
    agreement_form,
    claim_summary,
    find_agreement,
    goal_field,
    goals_overview,
    membership_of,
    memberships,
    pair_goals,
    save_agreement,
    set_goal_status,
    validate_agreement,
)
from bot.services.pairs import end_pair
from bot.views.goals import (
    GoalsMetadata,
    goals_list,
    goals_modal,
    parse_goals_state,
    saved_view,
    summary_message,
)
from models import Goal, Pair, Program
from models.enums import Cadence, GoalStatus, PairStatus, Side
from tests import contract
from tests.driver import fill_state
from tests.factories import (
    LAST_DAY,
    MENTEE_GOALS,
    MENTEE_USER,
    MENTOR_GOALS,
    MENTOR_USER,
    NOW,
    RULES,
    TEAM,
    SeededPair,
    save_goals,
    seed_pair,
)
from tests.hostile import HOSTILE


@pytest.fixture
def seeded(session_factory: sessionmaker[Session]) -> SeededPair:
    return seed_pair(session_factory)


def claim(session_factory: sessionmaker[Session], pair_id: int, at=NOW):
    with session_factory.begin() as db_session:
        return claim_summary(db_session, pair_id=pair_id, now=at)


# -- validation ----------------------------------------------------------------------------------


def test_complete_forms_are_valid_for_both_sides() -> None:
    assert validate_agreement(values=MENTEE_GOALS, side=Side.MENTEE, now=NOW) == {}
    # The reverse mentor's topic is optional.
    no_topic = replace(MENTOR_GOALS, goals=(GoalInput(text="Hear how you run board meetings"),))
    assert validate_agreement(values=no_topic, side=Side.MENTOR, now=NOW) == {}


@pytest.mark.parametrize(
    ("values", "side", "field", "words"),
    [
        (replace(MENTEE_GOALS, rules=replace(RULES, confidentiality=False)), Side.MENTEE,
         AgreementField.CONFIDENTIALITY, "confidential"),
        (replace(MENTEE_GOALS, goals=(GoalInput(),)), Side.MENTEE,
         goal_field(GoalField.TEXT, 0), "at least one goal"),
        (replace(MENTEE_GOALS, goals=(GoalInput(text="Learn TikTok"),)), Side.MENTEE,
         goal_field(GoalField.TOPIC, 0), "topic"),
        (replace(MENTEE_GOALS, goals=(*MENTEE_GOALS.goals, GoalInput(topic="strategy"))),
         Side.MENTEE, goal_field(GoalField.TEXT, 2), "Describe this goal"),
        (replace(MENTOR_GOALS, goals=(GoalInput(topic="no_such_topic", text="x"),)), Side.MENTOR,
         goal_field(GoalField.TOPIC, 0), "from the list"),
        (replace(MENTOR_GOALS, goals=(GoalInput(text="x" * 301),)), Side.MENTOR,
         goal_field(GoalField.TEXT, 0), "300 characters"),
        (replace(MENTOR_GOALS, goals=(GoalInput(text="x", target_date=NOW.date() - timedelta(1)),)),
         Side.MENTOR, goal_field(GoalField.TARGET_DATE, 0), "from today on"),
        (replace(MENTOR_GOALS, goals=(GoalInput(text="x", target_date=LAST_DAY + timedelta(1)),)),
         Side.MENTOR, goal_field(GoalField.TARGET_DATE, 0), "on or before the end date"),
        (replace(MENTOR_GOALS, rules=replace(RULES, meeting_mode="  ")), Side.MENTOR,
         AgreementField.MEETING_MODE, "how you'll meet"),
        (replace(MENTOR_GOALS, rules=replace(RULES, cadence=None)), Side.MENTOR,
         AgreementField.CADENCE, "how often"),
        (replace(MENTOR_GOALS, rules=replace(RULES, ends_on=None)), Side.MENTOR,
         AgreementField.ENDS_ON, "when your mentoring ends"),
        (replace(MENTOR_GOALS, rules=replace(RULES, ends_on=NOW.date())), Side.MENTOR,
         AgreementField.ENDS_ON, "in the future"),
    ],
)  # fmt: skip
def test_each_broken_rule_is_explained_on_its_field(
    values: AgreementInput, side: Side, field: str, words: str
) -> None:
    errors = validate_agreement(values=values, side=side, now=NOW)
    assert list(errors) == [field]
    assert words in errors[field]


# -- who may take part ---------------------------------------------------------------------------


def test_only_the_pairs_two_people_may_open_it(db_session: Session, seeded: SeededPair) -> None:
    with db_session.begin():
        mentor = membership_of(
            db_session, team_id=TEAM, user_id=MENTOR_USER, pair_id=seeded.pair_id
        )
        assert mentor.side == Side.MENTOR and mentor.partner
        assert mentor.partner.slack_user_id == MENTEE_USER
        with pytest.raises(NotInPairError, match="Only the two people"):
            membership_of(db_session, team_id=TEAM, user_id="U0STRANGER", pair_id=seeded.pair_id)
        with pytest.raises(NotInPairError):
            membership_of(
                db_session, team_id="T0OTHER", user_id=MENTOR_USER, pair_id=seeded.pair_id
            )
        with pytest.raises(NoPairError, match="don't have a mentoring partner yet"):
            memberships(db_session, team_id=TEAM, user_id="U0STRANGER")
        end_pair(db_session.get_one(Pair, seeded.pair_id), reason="mentor left", now=NOW)
        with pytest.raises(PairEndedError, match="has ended"):
            membership_of(db_session, team_id=TEAM, user_id=MENTOR_USER, pair_id=seeded.pair_id)


# -- agreeing ------------------------------------------------------------------------------------


def test_the_first_form_starts_from_the_programs_cadence_and_end_date(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    with session_factory.begin() as db_session:
        program = db_session.get_one(Program, seeded.program_id)
        program.cadence, program.ends_on = Cadence.MONTHLY, LAST_DAY
    with session_factory.begin() as db_session:
        mentor = membership_of(
            db_session, team_id=TEAM, user_id=MENTOR_USER, pair_id=seeded.pair_id
        )
        form = agreement_form(db_session, membership=mentor)
    assert form.values.rules == RulesInput(cadence=Cadence.MONTHLY, ends_on=LAST_DAY)
    assert form.values.goals == (GoalInput(),) * 3 and form.goal_ids == (None,) * 3
    assert not form.i_confirmed and not form.partner_confirmed


def test_both_confirming_activates_the_pair_and_the_summary_is_claimed_once(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    first = save_goals(session_factory, MENTOR_USER, MENTOR_GOALS)
    assert not first.agreed
    assert first.notice == PartnerNotice.YOUR_TURN and first.partner_user == MENTEE_USER
    assert claim(session_factory, seeded.pair_id) is None  # only one side has agreed

    # The mentee sees the mentor's rules, but must tick confidentiality themselves.
    with session_factory.begin() as db_session:
        mentee = membership_of(
            db_session, team_id=TEAM, user_id=MENTEE_USER, pair_id=seeded.pair_id
        )
        form = agreement_form(db_session, membership=mentee)
    assert form.proposed_by_partner and not form.i_confirmed
    assert form.values.rules == replace(RULES, confidentiality=False)

    second = save_goals(session_factory, MENTEE_USER, MENTEE_GOALS, at=NOW + timedelta(hours=1))
    assert second.agreed and second.notice == PartnerNotice.NONE
    summary = claim(session_factory, seeded.pair_id, NOW + timedelta(hours=1))
    assert summary is not None and summary.channel == seeded.channel
    assert [g.text for g in summary.mentee_goals] == [
        "Draft my team updates with AI",
        "Post on LinkedIn monthly",
    ]
    assert [g.text for g in summary.mentor_goals] == ["Learn how the annual budget is decided"]
    assert summary.rules == RULES
    assert claim(session_factory, seeded.pair_id) is None  # never twice
    with session_factory.begin() as db_session:
        assert db_session.get_one(Pair, seeded.pair_id).status == PairStatus.ACTIVE
        agreement = find_agreement(db_session, pair_id=seeded.pair_id)
        assert agreement and agreement.summary_posted_at == NOW + timedelta(hours=1)


def test_changing_agreed_rules_asks_the_other_person_to_confirm_again(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    save_goals(session_factory, MENTOR_USER, MENTOR_GOALS)
    save_goals(session_factory, MENTEE_USER, MENTEE_GOALS)
    assert claim(session_factory, seeded.pair_id) is not None

    later = NOW + timedelta(days=3)
    weekly = replace(MENTEE_GOALS, rules=replace(RULES, cadence=Cadence.WEEKLY))
    outcome = save_goals(session_factory, MENTEE_USER, weekly, at=later)
    assert outcome.rules_changed and not outcome.agreed
    assert outcome.notice == PartnerNotice.RECONFIRM and outcome.partner_user == MENTOR_USER
    with session_factory.begin() as db_session:
        agreement = find_agreement(db_session, pair_id=seeded.pair_id)
        assert agreement and agreement.mentor_confirmed_at is None
        assert agreement.mentee_confirmed_at == later
    assert claim(session_factory, seeded.pair_id, later) is None  # not until both agree again

    # The mentor re-confirms: the new rules get their one summary.
    again = save_goals(session_factory, MENTOR_USER, weekly, at=later + timedelta(hours=2))
    assert again.agreed and not again.rules_changed
    summary = claim(session_factory, seeded.pair_id, later)
    assert summary is not None and summary.rules.cadence == Cadence.WEEKLY
    assert claim(session_factory, seeded.pair_id, later) is None


def test_editing_only_goals_keeps_both_agreements_and_posts_nothing_new(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    save_goals(session_factory, MENTOR_USER, MENTOR_GOALS)
    save_goals(session_factory, MENTEE_USER, MENTEE_GOALS)
    claim(session_factory, seeded.pair_id)
    # Whitespace in the rules is no change either.
    edited = AgreementInput(
        goals=(GoalInput(topic="generative_ai", text="Draft updates AND slides with AI"),),
        rules=replace(RULES, meeting_mode="  Video   call "),
    )
    outcome = save_goals(session_factory, MENTEE_USER, edited, at=NOW + timedelta(days=1))
    assert outcome.agreed and not outcome.rules_changed and outcome.notice == PartnerNotice.NONE
    assert claim(session_factory, seeded.pair_id) is None
    with session_factory.begin() as db_session:
        agreement = find_agreement(db_session, pair_id=seeded.pair_id)
        assert agreement and agreement.mentee_confirmed_at == NOW  # agreed then, unchanged since
        mentee_goals = [
            g.text for g in pair_goals(db_session, pair_id=seeded.pair_id) if g.side == Side.MENTEE
        ]
    # The first goal was edited in place, the cleared second row deleted.
    assert mentee_goals == ["Draft updates AND slides with AI"]


def test_goals_marked_achieved_or_dropped_leave_the_form_and_stay_listed(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    save_goals(session_factory, MENTEE_USER, MENTEE_GOALS)
    with session_factory.begin() as db_session:
        first, second = pair_goals(db_session, pair_id=seeded.pair_id)
        # The partner may mark it; a second click changes nothing.
        change = set_goal_status(
            db_session,
            team_id=TEAM,
            user_id=MENTOR_USER,
            goal_id=first.id,
            status=GoalStatus.ACHIEVED,
            now=NOW,
        )
        assert change.changed and change.goal.status == GoalStatus.ACHIEVED
        again = set_goal_status(
            db_session,
            team_id=TEAM,
            user_id=MENTEE_USER,
            goal_id=first.id,
            status=GoalStatus.ACHIEVED,
            now=NOW,
        )
        assert not again.changed
        with pytest.raises(NotInPairError):
            set_goal_status(
                db_session,
                team_id=TEAM,
                user_id="U0STRANGER",
                goal_id=second.id,
                status=GoalStatus.DROPPED,
                now=NOW,
            )
        mentee = membership_of(
            db_session, team_id=TEAM, user_id=MENTEE_USER, pair_id=seeded.pair_id
        )
        form = agreement_form(db_session, membership=mentee)
    # Only the open goal is in the form, so a new one can take the achieved one's place.
    assert [g.text for g in form.values.goals if g.text] == ["Post on LinkedIn monthly"]
    assert form.goal_ids == (second.id, None, None)
    with session_factory.begin() as db_session:
        statuses = {g.text: g.status for g in pair_goals(db_session, pair_id=seeded.pair_id)}
        (entry,) = goals_overview(db_session, team_id=TEAM, user_id=MENTEE_USER)
    assert statuses["Draft my team updates with AI"] == GoalStatus.ACHIEVED
    assert statuses["Post on LinkedIn monthly"] == GoalStatus.OPEN
    assert len(entry.goals) == 2


def test_a_goal_closed_while_the_form_was_open_stays_closed(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    save_goals(session_factory, MENTEE_USER, MENTEE_GOALS)
    with session_factory.begin() as db_session:
        mentee = membership_of(
            db_session, team_id=TEAM, user_id=MENTEE_USER, pair_id=seeded.pair_id
        )
        stale_ids = agreement_form(db_session, membership=mentee).goal_ids
        goal = pair_goals(db_session, pair_id=seeded.pair_id)[0]
        set_goal_status(
            db_session,
            team_id=TEAM,
            user_id=MENTOR_USER,
            goal_id=goal.id,
            status=GoalStatus.DROPPED,
            now=NOW,
        )
    with session_factory.begin() as db_session:
        mentee = membership_of(
            db_session, team_id=TEAM, user_id=MENTEE_USER, pair_id=seeded.pair_id
        )
        save_agreement(
            db_session, membership=mentee, values=MENTEE_GOALS, goal_ids=stale_ids, now=NOW
        )
        goals = pair_goals(db_session, pair_id=seeded.pair_id)
    assert [(g.text, g.status) for g in goals] == [
        ("Draft my team updates with AI", GoalStatus.DROPPED),
        ("Post on LinkedIn monthly", GoalStatus.OPEN),
    ]


def test_both_saving_at_once_claims_one_summary(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    """Both people submit at the same moment: one agreement row, one summary."""
    barrier = threading.Barrier(2)
    claims: list[object] = []
    failures: list[BaseException] = []

    def submit(user: str, values: AgreementInput) -> None:
        try:
            barrier.wait(timeout=5)
            save_goals(session_factory, user, values, pair_id=seeded.pair_id)
            barrier.wait(timeout=5)
            claims.append(claim(session_factory, seeded.pair_id))
        except BaseException as error:  # reported below, from the test thread
            failures.append(error)

    threads = [
        threading.Thread(target=submit, args=(MENTOR_USER, MENTOR_GOALS)),
        threading.Thread(target=submit, args=(MENTEE_USER, MENTEE_GOALS)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert failures == []
    assert len([c for c in claims if c is not None]) == 1
    with session_factory.begin() as db_session:
        assert db_session.scalar(select(func.count()).select_from(Goal)) == 3


# -- views ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [MENTOR_USER, MENTEE_USER])
def test_the_form_is_valid_block_kit_and_reads_back_what_it_shows(
    session_factory: sessionmaker[Session], seeded: SeededPair, user: str
) -> None:
    values = MENTEE_GOALS if user == MENTEE_USER else MENTOR_GOALS
    save_goals(session_factory, user, values)
    with session_factory.begin() as db_session:
        membership = membership_of(db_session, team_id=TEAM, user_id=user, pair_id=seeded.pair_id)
        form = agreement_form(db_session, membership=membership)
    view = goals_modal(
        form=form,
        side=membership.side,
        partner_user=membership.partner.slack_user_id if membership.partner else None,
        metadata=GoalsMetadata(pair_id=seeded.pair_id, goal_ids=form.goal_ids),
    ).to_dict()
    if contract.available():
        assert contract.check_view(view) == []
    read = parse_goals_state(fill_state(view, {}))
    padded = values.goals + (GoalInput(),) * (3 - len(values.goals))
    assert read == AgreementInput(goals=padded, rules=RULES)
    assert GoalsMetadata.load(view["private_metadata"]).goal_ids == form.goal_ids


def test_summary_and_list_escape_what_people_typed(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    hostile_rules = replace(RULES, boundaries=HOSTILE, meeting_mode=HOSTILE[:150])
    save_goals(
        session_factory,
        MENTEE_USER,
        AgreementInput(goals=(GoalInput(topic="social_media", text=HOSTILE),), rules=hostile_rules),
    )
    save_goals(
        session_factory,
        MENTOR_USER,
        AgreementInput(goals=(GoalInput(text="Budgets"),), rules=hostile_rules),
    )
    summary = claim(session_factory, seeded.pair_id)
    assert summary is not None
    text, blocks = summary_message(summary)
    with session_factory.begin() as db_session:
        _, listed = goals_list(goals_overview(db_session, team_id=TEAM, user_id=MENTOR_USER))
    for block_list in (blocks, listed):
        dicts = [b.to_dict() for b in block_list]
        if contract.available():
            assert contract.check_blocks(dicts) == []
        assert "<!channel>" not in str(dicts) and "<@U123>" not in str(dicts)
        assert "&lt;!channel&gt;" in str(dicts)
    assert "<!channel>" not in text


def _outcome(notice: PartnerNotice, *, agreed: bool = False, partner: str | None = MENTEE_USER):
    return SaveOutcome(
        agreed=agreed,
        rules_changed=notice == PartnerNotice.RECONFIRM,
        notice=notice,
        partner_user=partner,
    )


@pytest.mark.parametrize(
    "outcome",
    [
        _outcome(PartnerNotice.YOUR_TURN),
        _outcome(PartnerNotice.NONE, agreed=True),
        _outcome(PartnerNotice.RECONFIRM),
        _outcome(PartnerNotice.NONE, partner=None),
    ],
)
def test_the_saved_form_says_what_happens_next(outcome: SaveOutcome) -> None:
    view = saved_view(outcome).to_dict()
    if contract.available():
        assert contract.check_view(view) == []
    text = str(view["blocks"])
    assert "Saved" in text
    if outcome.notice == PartnerNotice.RECONFIRM:
        assert "asked to confirm them again" in text
    elif outcome.agreed:
        assert "summary is in your group DM" in text
    elif outcome.partner_user:
        assert "Once <@U0MENTEE> has added their goals" in text


def test_the_list_shows_every_open_goal_and_the_latest_closed_ones(
    session_factory: sessionmaker[Session], seeded: SeededPair
) -> None:
    with session_factory.begin() as db_session:
        for n in range(7):
            db_session.add(
                Goal(pair_id=seeded.pair_id, side=Side.MENTEE, text=f"old {n}", status="achieved")
            )
    save_goals(session_factory, MENTEE_USER, MENTEE_GOALS)
    with session_factory.begin() as db_session:
        _, blocks = goals_list(goals_overview(db_session, team_id=TEAM, user_id=MENTEE_USER))
    text = str([b.to_dict() for b in blocks])
    assert "Draft my team updates with AI" in text and "Post on LinkedIn monthly" in text
    assert "old 6" in text and "old 3" in text and "old 2" not in text
    assert "and 3 earlier goals achieved or dropped" in text
