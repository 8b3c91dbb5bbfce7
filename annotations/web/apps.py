"""The frontend is its own small app so that its templates and static files are found."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "annotations.web"
    label = "factcheck_web"
    verbose_name = "factcheck frontend"
