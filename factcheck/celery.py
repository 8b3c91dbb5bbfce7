"""The Celery application, configured from Django settings under the CELERY_ namespace."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

app = Celery("factcheck")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _say_mode(**_: Any) -> None:
    """Say once, when a worker starts, which database and broker it uses."""
    from django.conf import settings

    logging.getLogger("factcheck").info(settings.STARTUP_SUMMARY)
