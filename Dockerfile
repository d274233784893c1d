# Reverse Mentoring for Slack: `docker build -t mentorbot .` then see README "Docker".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY models ./models
COPY migrations ./migrations
RUN pip install . && useradd --create-home --uid 10001 mentorbot && mkdir /data \
    && chown mentorbot /data

USER mentorbot
WORKDIR /data
# SQLite by default, in the /data volume; set DATABASE_URL for Postgres.
ENV DATABASE_URL=sqlite:////data/mentorbot.db PORT=3000
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"
CMD ["mentorbot", "run"]
