"""The one way to enqueue a task from code that may be inside a transaction."""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction


def enqueue_on_commit(task: Task[Any, Any], *args: int | str) -> None:
    """Send `task` with `args` once the current transaction commits (at once if there is none).

    A task sent before commit could run before its rows exist, or for rows that roll back.
    """
    transaction.on_commit(lambda: task.delay(*args))
