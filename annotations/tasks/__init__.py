"""Celery tasks: thin interfaces that take ids and call one service each.

Tasks are sent only by services, after commit, through a path that records what was sent (see
`annotations.services.preannotation.dispatch_items`), so that work whose sending failed while
the broker was down stays queued and is sent again; never with a direct `.delay()` inside a
transaction. Periodic tasks are scheduled in `CELERY_BEAT_SCHEDULE` in the settings.
"""

from annotations.tasks import jobs, preannotation, review

__all__ = ["jobs", "preannotation", "review"]
