"""REST API routes under /api/v1/."""

from django.urls import path

from annotations import api

app_name = "annotations"

urlpatterns = [
    path("health", api.HealthView.as_view(), name="health"),
]
