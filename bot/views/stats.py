"""The coordinator's program report in Block Kit."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.services.chart_data import MIN_GROUP
from bot.services.stats import (
    AtRiskPair,
    Outcomes,
    PairFigures,
    Participation,
    ProgramStats,
    SessionFigures,
)
from bot.services.topics import topic_label
from bot.views.text import clip, escape, plural
from models.enums import GoalStatus, PairStatus, PollAnswer, Role

SMALL = f"fewer than {MIN_GROUP}"
AT_RISK_SHOWN = 10
BREAKDOWN_SHOWN = 8
ROLE_LABELS = {Role.MENTOR: "reverse mentors", Role.MENTEE: "mentees", Role.BOTH: "both"}
ANSWER_LABELS = {
    PollAnswer.MENTOR: "I'd mentor",
    PollAnswer.MENTEE: "I'd like a mentor",
    PollAnswer.MORE: "Tell me more",
    PollAnswer.NO: "Not for me",
}


def count(value: int | None) -> str:
    return SMALL if value is None else f"{value:,}"


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{round(share * 100)}%"


def one_decimal(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _section(title: str, lines: list[str]) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(f"*{title}*\n" + "\n".join(lines))))


def _breakdown(values: dict[str, int | None]) -> str:
    shown = list(values.items())[:BREAKDOWN_SHOWN]
    text = ", ".join(f"{escape(name)} {count(n)}" for name, n in shown)
    rest = len(values) - len(shown)
    return text + (f", and {rest} more" if rest > 0 else "") if text else "none yet"


def at_risk_line(pair: AtRiskPair) -> str:
    mentor = f"<@{pair.mentor_user}>" if pair.mentor_user else "(someone who left)"
    mentee = f"<@{pair.mentee_user}>" if pair.mentee_user else "(someone who left)"
    why = escape(pair.reason or "flagged")
    if pair.delivery_problem:
        why += f"; messages not delivered: {escape(pair.delivery_problem)}"
    return f"• {mentor} & {mentee}: {why}"


def stats_blocks(stats: ProgramStats) -> list[Block]:
    """The report: participation, pairs, sessions, outcomes; a finished program's opens with
    its results."""
    o = stats.outcomes
    results = [_section("Results", results_lines(stats))] if stats.finished else []
    title = "Program results" if stats.finished else "Program report"
    return [
        HeaderBlock(text=f"{title}: {stats.program.name}"[:150]),
        *results,
        _section("Participation", _participation_lines(stats.participation)),
        _section("Pairs", _pair_lines(stats.pairs)),
        _section("Sessions", _session_lines(stats.sessions)),
        _section("Outcomes", _outcome_lines(o)),
        _section(
            "Skill growth (self-rating at sign-up → latest survey)",
            _growth_lines(o) or ["No survey re-ratings yet."],
        ),
        DividerBlock(),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Groups smaller than {MIN_GROUP} people show as “{SMALL}”. "
                    "Private notes are never included. "
                    "`/mentoring stats chart` for charts, `/mentoring export` for CSV files."
                )
            ]
        ),
    ]


def _participation_lines(p: Participation) -> list[str]:
    signups = sum(p.by_role.values())
    return [
        "Interest poll: " + ", ".join(f"{ANSWER_LABELS[a]} {n}" for a, n in p.poll_answers.items()),
        f"Sign-ups: *{signups}* ("
        + ", ".join(f"{n} {ROLE_LABELS[r]}" for r, n in p.by_role.items())
        + ")",
        f"By department: {_breakdown(p.by_department)}",
        f"By location: {_breakdown(p.by_location)}",
        f"Poll interest to sign-up: {p.interested_signed_up} of {p.interested} "
        f"({percent(p.conversion)})",
    ]


def _pair_lines(pairs: PairFigures) -> list[str]:
    lines = [
        ", ".join(
            f"{status.value.replace('_', ' ')} {pairs.by_status[status]}" for status in PairStatus
        )
    ]
    if not pairs.at_risk:
        return [*lines, "No pair is at risk."]
    lines.append(f"*At risk ({len(pairs.at_risk)})*")
    lines += [at_risk_line(a) for a in pairs.at_risk[:AT_RISK_SHOWN]]
    if len(pairs.at_risk) > AT_RISK_SHOWN:
        lines.append(f"and {len(pairs.at_risk) - AT_RISK_SHOWN} more")
    return lines


def _session_lines(s: SessionFigures) -> list[str]:
    return [
        f"Held *{s.held}* · cancelled {s.cancelled} (by the reverse mentor "
        f"{s.cancelled_by['mentor']}, by the mentee {s.cancelled_by['mentee']}, side not "
        f"said {s.cancelled_by['not said']}) · missed {s.missed} · upcoming {s.upcoming}",
        f"Held per pair: {one_decimal(s.held_per_pair)} of {s.planned_per_pair} planned",
        f"Check-ins answered: {s.checkins_given} of {s.checkins_expected} "
        f"({percent(s.checkin_rate)})",
    ]


def _outcome_lines(o: Outcomes) -> list[str]:
    return [
        f"Average session rating: {one_decimal(o.session_rating)} / 5 "
        f"({plural(o.ratings_given, 'rating')})",
        f"Rate the program effective (4-5): {percent(o.effective_share)}; "
        f"extremely effective (5): {percent(o.extremely_effective_share)} "
        f"({plural(o.survey_respondents or 0, 'respondent')})",
        f"Would recommend it: {percent(o.would_recommend_share)}",
        f"Pairs that completed the program: {percent(o.completion_rate)} of those introduced",
        f"Goals: {o.goals[GoalStatus.ACHIEVED]} achieved, {o.goals[GoalStatus.OPEN]} "
        f"open, {o.goals[GoalStatus.DROPPED]} dropped",
        "Top topics covered: "
        + (
            ", ".join(f"{topic_label(t)} ({n})" for t, n in o.top_topics)
            if o.top_topics
            else "none recorded yet"
        ),
    ]


def _growth_lines(o: Outcomes) -> list[str]:
    return [
        f"• {topic_label(g.topic)}: {SMALL} people"
        if g.suppressed
        else f"• {topic_label(g.topic)}: {one_decimal(g.at_signup)} → {one_decimal(g.latest)} "
        f"({g.people} people)"
        for g in o.skill_growth[:12]
    ]


def results_lines(stats: ProgramStats) -> list[str]:
    """The figures a sponsor asks for: completion, goals achieved, how effective people found
    it, would they recommend it, and skill growth by topic."""
    o, s = stats.outcomes, stats.sessions
    respondents = plural(o.survey_respondents, "survey respondent")
    growth = [
        f"{topic_label(g.topic)} {one_decimal(g.at_signup)} → {one_decimal(g.latest)} "
        f"({g.people} people)"
        for g in o.skill_growth
        if not g.suppressed
    ]
    if o.extremely_effective_share is None:
        effective = f"Too few survey answers to say how effective people found it ({respondents})"
    else:
        effective = (
            f"*{percent(o.extremely_effective_share)}* rate the program extremely effective; "
            f"{percent(o.effective_share)} effective ({respondents})"
        )
    recommend = (
        f"*{percent(o.would_recommend_share)}* would recommend it"
        if o.would_recommend_share is not None
        else "Would recommend it: too few answers to say"
    )
    completed = (
        f"*{o.pairs_completed} of {plural(o.pairs_introduced, 'pair')}* completed the program "
        f"({percent(o.completion_rate)}), holding {plural(s.held, 'session')}"
        if o.pairs_introduced
        else "No pair was introduced"
    )
    return [
        completed,
        f"*{plural(o.goals[GoalStatus.ACHIEVED], 'goal')} achieved*",
        effective,
        recommend,
        "Skill growth by topic (own ratings, sign-up → final survey): "
        + ("; ".join(growth) if growth else "too few ratings to say"),
    ]


def results_message(stats: ProgramStats) -> tuple[str, list[Block]]:
    """The finished program's results, sent once to each coordinator: one message to forward."""
    name = escape(stats.program.name)
    o = stats.outcomes
    text = (
        f"Results of {name}: {o.pairs_completed} of {plural(o.pairs_introduced, 'pair')} "
        f"completed, {percent(o.extremely_effective_share)} rate it extremely effective."
    )
    return text, [
        HeaderBlock(text=f"Program results: {stats.program.name}"[:150]),
        SectionBlock(text=MarkdownTextObject(text=clip("\n".join(results_lines(stats))))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Groups smaller than {MIN_GROUP} people show as “{SMALL}”; no "
                    "rating of a partner and no private note is ever in these figures. The "
                    "full report: `/mentoring stats`; charts: `/mentoring stats chart`; "
                    "CSV files: `/mentoring export`."
                )
            ]
        ),
    ]


def stats_text(stats: ProgramStats) -> str:
    s = stats.sessions
    return (
        f"Program report for {escape(stats.program.name)}: "
        f"{sum(stats.participation.by_role.values())} "
        f"sign-ups, {s.held} sessions held, {len(stats.pairs.at_risk)} pairs at risk."
    )


def digest(stats: ProgramStats) -> tuple[str, list[Block]]:
    """The Monday digest: the week's headline figures and who needs attention."""
    s, o = stats.sessions, stats.outcomes
    text = (
        f"Weekly digest for {escape(stats.program.name)}: {s.held} sessions held, {s.cancelled} "
        f"cancelled, {len(stats.pairs.at_risk)} pairs at risk."
    )
    lines = [
        f"*Sessions:* {s.held} held · {s.cancelled} cancelled · {s.missed} missed · "
        f"{s.upcoming} upcoming",
        f"*Check-ins answered:* {percent(s.checkin_rate)} · *session rating:* "
        f"{one_decimal(o.session_rating)} / 5 · *rate it effective:* {percent(o.effective_share)}",
    ]
    if stats.pairs.at_risk:
        lines.append(f"*Pairs at risk ({len(stats.pairs.at_risk)}):*")
        lines += [at_risk_line(a) for a in stats.pairs.at_risk[:AT_RISK_SHOWN]]
    else:
        lines.append("No pair is at risk.")
    return text, [
        HeaderBlock(text=f"Weekly digest: {stats.program.name}"[:150]),
        SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines)))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="The full report: `/mentoring stats`. Stop these: `/mentoring digest off`."
                )
            ]
        ),
    ]
