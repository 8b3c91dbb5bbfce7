"""Celery tasks: thin interfaces that take ids and call one service each.

Enqueue only through `enqueue_on_commit` (or a service that sends after commit), never with a
direct `.delay()` inside a transaction.
"""

from annotations.tasks import preannotation, review
from annotations.tasks.base import enqueue_on_commit

__all__ = ["enqueue_on_commit", "preannotation", "review"]
