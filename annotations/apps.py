"""App configuration for the annotations domain."""

import logging

from django.apps import AppConfig
from django.conf import settings


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Fact-check annotations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Said at start-up, not hidden: which database and whether tasks run eagerly.
        logging.getLogger("factcheck").info(settings.STARTUP_SUMMARY)
        from annotations.api.authentication import connect_token_cache_invalidation

        connect_token_cache_invalidation()
