# Reverse Mentoring for Slack: `docker build -t mentorbot .` then see README "Docker".
# Built in one stage, run from another: the image holds the installed app and its
# dependencies, not the sources or pip's build leftovers.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY models ./models
COPY migrations ./migrations
# pip and setuptools are only needed to install: the running app never uses them.
RUN python -m venv /opt/mentorbot \
    && /opt/mentorbot/bin/pip install --constraint requirements.lock . \
    && /opt/mentorbot/bin/pip uninstall --yes pip setuptools

FROM python:3.11-slim

# Matching's compiled passes are cached where the app's user may write.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NUMBA_CACHE_DIR=/tmp/numba-cache \
    PATH=/opt/mentorbot/bin:$PATH

COPY --from=build /opt/mentorbot /opt/mentorbot
RUN groupadd --gid 10001 mentorbot \
    && useradd --uid 10001 --gid 10001 --create-home mentorbot \
    && mkdir /data && chown mentorbot:mentorbot /data

# A numeric user, so orchestrators can check that it is not root.
USER 10001:10001
WORKDIR /data
# SQLite by default, in the /data volume; set DATABASE_URL for Postgres.
ENV DATABASE_URL=sqlite:////data/mentorbot.db PORT=3000
VOLUME ["/data"]
EXPOSE 3000
# Liveness: the process answers. Load balancers should use /readyz (database and schema).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=4)"
CMD ["mentorbot", "run"]
