"""Celery tasks, one module per area; each loads by id and calls one service."""

from annotations.tasks import review

__all__ = ["review"]
