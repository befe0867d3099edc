# A slim image that runs `inflow serve` as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/inflow.db \
    INFLOW_CONTENT_DIR=/app/content/guides

WORKDIR /app
# The dependencies exactly as CI tested them (requirements.lock, every file's hash checked),
# in a layer of their own; then inflow itself, which must add none (pip check).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY migrations ./migrations
COPY content ./content
RUN pip install --no-deps . \
    && pip check \
    && useradd --create-home --uid 10001 inflow \
    && mkdir -p /data && chown inflow:inflow /data

USER inflow
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/healthz', timeout=2)"
CMD ["inflow", "serve"]
