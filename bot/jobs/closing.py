"""The end of programs: complete their pairs, queue each pair's close-out and the results
for the coordinators."""

from __future__ import annotations

import logging

from bot.jobs import JobContext
from bot.services.closing import close_program, programs_to_close, queue_results
from bot.services.digests import digest_recipients
from models import Program

logger = logging.getLogger(__name__)


def close_ended_programs(context: JobContext) -> None:
    """One transaction a program, so a large one never holds up the others."""
    with context.session_factory.begin() as db_session:
        program_ids = programs_to_close(db_session, now=context.now)
    for program_id in program_ids:
        with context.session_factory.begin() as db_session:
            completed = close_program(db_session, program_id=program_id, now=context.now)
            program = db_session.get(Program, program_id)
            if program is not None:
                recipients = digest_recipients(
                    db_session,
                    team_id=program.team_id,
                    configured=context.settings.coordinator_ids,
                )
                queue_results(db_session, program=program, recipients=recipients, now=context.now)
        logger.info("program %d ended: %d pairs completed", program_id, len(completed))
