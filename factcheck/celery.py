"""The Celery application, configured from Django settings under the CELERY_ namespace."""

import gc
import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _say_mode(**_: Any) -> None:
    """Say once, when a worker starts, which database and broker it uses."""
    from django.conf import settings

    logging.getLogger("factcheck").info(settings.STARTUP_SUMMARY)


@worker_init.connect
def _share_loaded_code(**_: Any) -> None:
    """Load Django and the tasks' modules in the worker's parent, then freeze them, before the
    pool forks its children: the children share those pages copy-on-write instead of each
    loading its own copy (a worker of concurrency 2, idle: 165 MB PSS before, 126 MB after).
    """
    import django

    django.setup()
    import annotations.tasks  # noqa: F401 - loaded for its side effect: the pages to share

    gc.freeze()
