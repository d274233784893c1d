"""The session guide: every catalog topic has starters and an exercise; agendas fit the slot."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from bot.services.programs import SESSION_MINUTES
from bot.services.session_guide import guide_for, suggested_agenda, tips
from bot.services.topics import CATALOG, TopicKind

LINE = re.compile(r"^(\d+) min: (.+)$", re.DOTALL)


def parse(agenda: list[str]) -> list[tuple[int, str]]:
    parsed = []
    for line in agenda:
        found = LINE.match(line)
        assert found, f"not an agenda line: {line!r}"
        parsed.append((int(found.group(1)), found.group(2)))
    return parsed


@pytest.mark.parametrize("topic", CATALOG, ids=lambda t: t.key)
def test_every_catalog_topic_has_a_guide(topic) -> None:
    guide = guide_for(topic.key)
    assert (guide.key, guide.label, guide.kind) == (topic.key, topic.label, topic.kind)
    assert 2 <= len(guide.starters) <= 3
    assert len(set(guide.starters)) == len(guide.starters)
    for text in (*guide.starters, guide.exercise):
        assert text.strip() == text and 20 <= len(text) <= 400, text
    assert len(guide.exercise) >= 80  # something to do, not a slogan


def test_guides_cover_both_directions_of_learning() -> None:
    kinds = {guide_for(t.key).kind for t in CATALOG}
    assert kinds == {TopicKind.DIGITAL, TopicKind.BUSINESS}
    exercises = {guide_for(t.key).exercise for t in CATALOG}
    assert len(exercises) == len(CATALOG)  # no copy-pasted exercise


def test_an_unknown_topic_has_no_guide() -> None:
    with pytest.raises(KeyError, match="no_such_topic"):
        guide_for("no_such_topic")


def test_tips_include_the_programs_rules_of_thumb() -> None:
    found = tips()
    assert any(t.startswith("The mentee drives, the mentor navigates") for t in found)
    assert any(t.startswith("Ask for tactics, keep strategy yours") for t in found)
    assert len(found) >= 5
    found.clear()  # a copy: callers cannot change the program's tips
    assert tips()


@pytest.mark.parametrize("minutes", [15, *SESSION_MINUTES, 120])
@pytest.mark.parametrize(
    "topics",
    [[], ["generative_ai"], ["generative_ai", "strategy"], [t.key for t in CATALOG]],
    ids=["none", "one", "two", "all"],
)
def test_the_agenda_fits_the_session_and_runs_check_in_to_wrap_up(
    minutes: int, topics: list[str]
) -> None:
    items = parse(suggested_agenda(topics, minutes))
    assert sum(m for m, _ in items) == minutes
    assert all(m >= 1 for m, _ in items)
    assert items[0][1].startswith("Check-in")
    assert items[-1][1].startswith("Wrap-up") and "next step" in items[-1][1]
    covered = [k for k in topics if any(guide_for(k).exercise in text for _, text in items)]
    assert len(covered) <= 2
    if topics:
        assert covered == topics[: len(covered)] and covered  # in the order given
    else:
        assert len(items) == 3  # check-in, a conversation about goals, wrap-up


@pytest.mark.parametrize("a, b", list(combinations([t.key for t in CATALOG], 2))[::7])
def test_each_topic_brings_its_first_starter_and_its_exercise(a: str, b: str) -> None:
    text = "\n".join(suggested_agenda([a, b], 60))
    for key in (a, b):
        guide = guide_for(key)
        assert guide.starters[0] in text and guide.exercise in text


def test_a_short_session_takes_one_topic_and_a_long_one_two() -> None:
    def topics_in(minutes: int) -> int:
        text = "\n".join(suggested_agenda(["social_media", "leadership"], minutes))
        return sum(guide_for(k).exercise in text for k in ("social_media", "leadership"))

    assert topics_in(30) == 1
    assert topics_in(45) == 2 and topics_in(90) == 2
    # In a long session the hands-on part gets the most time.
    items = parse(suggested_agenda(["social_media"], 60))
    exercise = next(m for m, text in items if "hands-on" in text)
    assert exercise == max(m for m, _ in items)


def test_unknown_and_repeated_topics_are_skipped() -> None:
    agenda = suggested_agenda(["gone_topic", "cybersecurity", "cybersecurity"], 45)
    text = "\n".join(agenda)
    assert "gone_topic" not in text
    assert text.count(guide_for("cybersecurity").exercise) == 1


def test_too_short_a_session_has_no_agenda() -> None:
    with pytest.raises(ValueError, match="at least 15 minutes"):
        suggested_agenda(["social_media"], 10)
