"""App configuration for the annotations domain."""

import logging

from django.apps import AppConfig
from django.conf import settings


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from annotations.ratelimit import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="factcheck-ratelimit")
        # Said at start-up, not hidden: which database and whether tasks run eagerly.
        logging.getLogger("factcheck").info(settings.STARTUP_SUMMARY)
