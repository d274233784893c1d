"""Every weight and threshold matching uses, in one place (README: Matching explains them).

A pair's score is the sum of:
- TOPIC: for each topic the mentee wants and the mentor teaches, the mentee's need
  ((6 - self-rating) / 5: 1.0 for "new to it", 0.2 for "I could teach it"), times the topic's
  demand factor (1 + DEMAND * share of interest-poll voters who chose it);
- REVERSE: the same, for business topics the mentee teaches and the mentor wants to learn;
- DEPARTMENT / REGION: when the two come from different departments / locations;
- PERSONALITY: introvert with extrovert (full), an ambivert with anyone (half), alike (none);
- CADENCE: when both prefer the same meeting rhythm.
"""

from __future__ import annotations

TOPIC = 10.0
REVERSE = 4.0
DEMAND = 0.5
DEPARTMENT = 3.0
REGION = 2.0
PERSONALITY = 2.0
CADENCE = 1.0

WORKDAY_START_HOUR = 9  # local working hours assumed for the overlap rule
WORKDAY_HOURS = 8
MIN_OVERLAP_HOURS = 1
UNRATED_NEED = 0.6  # a wanted topic without a self-rating counts as rated 3

# Up to this many mentee x mentor cells the engine keeps every score in memory and prices the
# pairs left out of its candidates (each side's TOP_K best partners) until none could raise the
# total; above it, each pass over every pair scores them afresh, and it makes two
# (bench/matching.py prints how close both come).
DENSE_LIMIT = 10_000_000
TOP_K = 40
# Past this many cells (about 20,000 people), the streamed solve prices the pairs left out
# once before it sets anyone's side: each side's TOP_K best by score are then too few.
PRICE_FIRST_ABOVE = 100_000_000
