"""The delivery and retry policy shared by tasks whose service is idempotent."""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError

# Named transient errors only: a lock held by a concurrent delivery, or a dropped connection.
# Anything else (a bug, bad data, a time limit) fails the work at once with its error.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

# Late acknowledgement, so a killed worker's message is delivered again (safe only because the
# service re-checks state under a lock), and backed-off retries on transient errors only.
IDEMPOTENT_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 6,
}
