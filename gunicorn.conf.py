"""gunicorn settings for production (the Dockerfile and compose start it with `-c` this file).

Threads, not sync workers: a sync worker is held by one request for as long as its client
takes to send it, so four clients trickling a body one byte every 2 s held every worker until
the 30 s timeout killed them, and every other request waited. With `gthread` a worker's other
threads keep answering, and in compose nginx buffers whole requests before they reach us
(deploy/nginx.conf), so slow clients only ever cost nginx a connection.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker that stops answering its heartbeat this long is restarted; with threads the
# heartbeat goes on while requests run, so this bounds a hung worker, not a slow request.
timeout = 60
graceful_timeout = 30
# Idle keep-alive connections (from the proxy) are closed after this many seconds.
keepalive = 5
# Request line and header limits, as gunicorn's defaults but said: hostile headers get 400.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Load the app once in the master and fork the workers from it: the code and Django's setup
# are then shared copy-on-write instead of loaded in every worker (the web tier's memory after
# the review-loop benchmark, 5 workers: 419 MB PSS without, 244 MB with, frozen as below).
# Safe because nothing connects to PostgreSQL or Redis at import; connections open lazily in
# each worker (tests/test_serving.py holds the master to that).
preload_app = True


def pre_fork(server: object, worker: object) -> None:
    """Move everything loaded so far out of the garbage collector's reach before forking, so a
    worker's collections never write to (and so copy) the pages it shares with the master."""
    gc.freeze()


def when_ready(server: object) -> None:
    """Say once, in the master, which mode, database and broker the app runs with."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    from django.conf import settings

    server.log.info(settings.STARTUP_SUMMARY)  # type: ignore[attr-defined]
