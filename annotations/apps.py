"""App configuration for the annotations domain."""

import logging
import os
import sys

from django.apps import AppConfig
from django.conf import settings


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from annotations.api.authentication import connect_token_cache_invalidation
        from annotations.ratelimit import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="factcheck-ratelimit")
        connect_token_cache_invalidation()
        # Said at server start, not hidden: which database and whether tasks run eagerly. Once:
        # in runserver's serving process (the autoreloader's child), not in every command.
        # gunicorn (gunicorn.conf.py) and the Celery worker (factcheck/celery.py) say it too.
        if _serving_with_runserver():
            logging.getLogger("factcheck").info(settings.STARTUP_SUMMARY)


def _serving_with_runserver() -> bool:
    if sys.argv[1:2] != ["runserver"] or "--help" in sys.argv or "-h" in sys.argv:
        return False
    return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
