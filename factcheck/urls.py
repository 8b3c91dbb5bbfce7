"""Top-level URLs: the admin, the REST API under /api/v1/, its schema and docs, the frontend."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # The frontend (login, home, review workspace, lead pages) at the site's root.
    path("", include("annotations.web.urls")),
]
