"""Why two people were matched, and why someone was not, in plain words."""

from __future__ import annotations

import numpy as np

from bot.services.matching import weights as W
from bot.services.matching.engine import Pool, tz_overlap_hours
from bot.services.topics import CATALOG
from models import Participant
from models.enums import Personality

PERSONALITY_WORDS = {
    Personality.INTROVERT: "an introvert",
    Personality.AMBIVERT: "an ambivert",
    Personality.EXTROVERT: "an extrovert",
}


def _labels(indices: np.ndarray) -> list[str]:
    return [CATALOG[int(i)].label for i in indices]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def pair_reasons(pool: Pool, people: list[Participant], mentor: int, mentee: int) -> list[str]:
    """Topics that connect them both ways, what they bridge, the hours they share."""
    m, e = people[mentor], people[mentee]
    reasons = []
    forward = np.flatnonzero(pool.teach[mentor] & (pool.need[mentee] > 0))
    reasons.append(
        f"{m.job_title} can teach {_join(_labels(forward))}, which {e.job_title} wants to learn"
    )
    back = np.flatnonzero(pool.teach[mentee] & (pool.need[mentor] > 0))
    if len(back):
        reasons.append(f"in return, {_join(_labels(back))} from {e.job_title}")
    if pool.department[mentor] != pool.department[mentee]:
        reasons.append(f"bridges {m.department} and {e.department}")
    if pool.region[mentor] != pool.region[mentee]:
        reasons.append(f"connects {m.location} and {e.location}")
    overlap = tz_overlap_hours(pool.tz_offset[[mentor]], pool.tz_offset[[mentee]])[0]
    if np.isnan(pool.tz_offset[mentor]) or np.isnan(pool.tz_offset[mentee]):
        reasons.append("working hours: a time zone is not known yet")
    else:
        hours = int(overlap) if overlap == int(overlap) else round(float(overlap), 1)
        reasons.append(f"{hours} working hours in common")
    if {m.personality, e.personality} == {Personality.INTROVERT, Personality.EXTROVERT}:
        reasons.append(
            f"{PERSONALITY_WORDS[m.personality]} with {PERSONALITY_WORDS[e.personality]}"
        )
    if m.cadence == e.cadence:
        reasons.append(f"both prefer to meet {m.cadence}")
    return reasons


def unmatched_reason(pool: Pool, person: int) -> str:
    """The first hard rule that left this person without a partner this round."""
    wants = pool.need[person] > 0
    if pool.can_mentee[person] and wants.any():
        others = pool.can_mentor & (pool.capacity > 0)
        others[person] = False
        topics = _join(_labels(np.flatnonzero(wants)))
        teaches = others & pool.teach[:, wants].any(axis=1)
        return _why(pool, person, teaches, topics, as_mentee=True)
    if pool.can_mentor[person]:
        offered = pool.teach[person]
        others = pool.can_mentee.copy()
        others[person] = False
        topics = _join(_labels(np.flatnonzero(offered))) if offered.any() else "your topics"
        wanted = others & (pool.need[:, offered] > 0).any(axis=1)
        return _why(pool, person, wanted, topics, as_mentee=False)
    return "your profile has no topics to match on yet: add some with /mentoring profile"


def _why(pool: Pool, person: int, fits: np.ndarray, topics: str, *, as_mentee: bool) -> str:
    other = "reverse mentor" if as_mentee else "mentee"
    verb = "teaches" if as_mentee else "wants to learn"
    if not fits.any():
        return f"no {other} in the pool {verb} {topics} yet"
    hours = tz_overlap_hours(pool.tz_offset, np.full_like(pool.tz_offset, pool.tz_offset[person]))
    fits = fits & (hours >= W.MIN_OVERLAP_HOURS)
    if not fits.any():
        return f"no {other} {verb} {topics} within your working hours"
    career = pool.stage < pool.stage[person] if as_mentee else pool.stage > pool.stage[person]
    fits = fits & career
    if not fits.any():
        when = "earlier" if as_mentee else "later"
        return f"the {other}s who fit are not {when} in their careers than you"
    if pool.strict_department:
        fits = fits & (pool.department != pool.department[person])
        if not fits.any():
            return f"every {other} who fits works in your department"
    barred = (
        [mentor for mentor, mentee in pool.forbidden if mentee == person]
        if as_mentee
        else [mentee for mentor, mentee in pool.forbidden if mentor == person]
    )
    fits = fits.copy()
    fits[barred] = False
    if not fits.any():
        return (
            f"the {other}s who fit are past partners or people either of you asked not to be "
            "matched with"
        )
    return (
        f"every {other} who fits was matched with someone they suit even better this round; "
        "you stay in the pool"
    )


def broken_rule(pool: Pool, mentor: int, mentee: int) -> str | None:
    """The first hard rule that forbids `mentor` mentoring `mentee`, in words; None when none
    does (the rules of score_block, in the order a coordinator would check them)."""
    if mentor == mentee:
        return "nobody can mentor themselves"
    if not (pool.teach[mentor] & (pool.need[mentee] > 0)).any():
        return "the mentor teaches none of the topics the mentee wants to learn"
    if pool.stage[mentor] >= pool.stage[mentee]:
        return "the reverse mentor is not earlier in their career than the mentee"
    overlap = tz_overlap_hours(pool.tz_offset[[mentor]], pool.tz_offset[[mentee]])[0]
    if overlap < W.MIN_OVERLAP_HOURS:
        return "their working hours do not overlap by an hour"
    if pool.strict_department and pool.department[mentor] == pool.department[mentee]:
        return "they work in the same department, and this program keeps departments apart"
    if (mentor, mentee) in pool.forbidden:
        return "they were partners before, or one asked not to be matched with the other"
    return None
