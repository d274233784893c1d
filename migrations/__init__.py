"""Alembic migrations, shipped inside the package so `mentorbot migrate` works when installed."""
