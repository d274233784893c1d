"""Times as each person reads them: in their own time zone, from Slack's profile."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "UTC"
QUIET_FROM = time(20, 0)  # non-urgent messages wait until the next working morning
QUIET_UNTIL = time(8, 0)


def zone(name: str | None) -> ZoneInfo:
    """The named zone, or UTC when unknown (Slack did not say, or an unknown name)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def to_utc(day: date, clock: time, zone_name: str | None) -> datetime:
    """A wall-clock date and time in a zone, as an aware UTC instant."""
    return datetime.combine(day, clock, tzinfo=zone(zone_name)).astimezone(UTC)


def describe(instant: datetime, zone_name: str | None) -> str:
    """`Tue 24 Nov, 15:00 EST`: how the person reads the instant where they are."""
    local = instant.astimezone(zone(zone_name))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local.tzname()}"


def describe_clock(instant: datetime, zone_name: str | None) -> str:
    """`15:00 EST`."""
    local = instant.astimezone(zone(zone_name))
    return f"{local:%H:%M} {local.tzname()}"


def outside_quiet_hours(instant: datetime, zone_name: str | None) -> datetime:
    """The first moment at or after `instant` that is a weekday between 08:00 and 20:00 in
    the person's zone: non-urgent messages are held until then."""
    tz = zone(zone_name)
    local = instant.astimezone(tz)
    for _ in range(8):
        if local.weekday() < 5 and QUIET_UNTIL <= local.time() < QUIET_FROM:
            return local.astimezone(UTC)
        if local.weekday() < 5 and local.time() < QUIET_UNTIL:
            local = datetime.combine(local.date(), QUIET_UNTIL, tzinfo=tz)
        else:
            local = datetime.combine(local.date() + timedelta(days=1), QUIET_UNTIL, tzinfo=tz)
    return local.astimezone(UTC)
