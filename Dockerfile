# One image for the server, its migrations (python -m server migrate), the bridge and simulated devices
# (docker-compose.yml picks the command).

# --- dashboard: Vite + React build -------------------------------------------------------------
FROM node:20-slim AS dashboard
WORKDIR /dashboard
COPY dashboard/package.json dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY dashboard/ ./
RUN npm run build

# --- python: the project with its "embedded" extra, installed into a self-contained venv -------
FROM python:3.11-slim AS pyenv
RUN python -m venv /opt/venv
WORKDIR /src
# .dockerignore keeps caches, virtualenvs, node_modules and tests out of the context.
COPY . .
RUN /opt/venv/bin/pip install --no-cache-dir ".[embedded]"

# --- runtime ------------------------------------------------------------------------------------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DASHBOARD_DIR=/app/dashboard/dist
# Non-root. /data is where compose mounts the named volumes (edge outboxes; an SQLite store too when
# STORE_URL points there); a fresh named volume takes this directory's ownership, so the app user
# can write it.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app /data \
    && chown app:app /data
COPY --from=pyenv /opt/venv /opt/venv
COPY --from=dashboard /dashboard/dist /app/dashboard/dist
USER app
WORKDIR /app
EXPOSE 8000
# The production ASGI server, as docker-compose.yml runs it (server.config.asgi_server_args("uvicorn"),
# chosen by the figures in docs/benchmarks.md); daphne stays supported: ASGI_SERVER=daphne.
CMD ["python", "-m", "uvicorn", "--host", "0.0.0.0", "--port", "8000", "--loop", "uvloop", "--http", "httptools", \
     "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--lifespan", "off", "--no-access-log", "--no-proxy-headers", \
     "server.asgi:application"]
