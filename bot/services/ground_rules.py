"""The ground rules every participant agrees to before taking part."""

from __future__ import annotations

GROUND_RULES: tuple[str, ...] = (
    "What we talk about stays between the two of us, unless we both agree otherwise.",
    "Either of us can pause or leave at any time, with no reason needed.",
    "We turn up on time, and if we must cancel we say so early and reschedule.",
    "No question is too basic: curiosity and respect go both ways.",
)
