"""Top-level URLs: the admin, the REST API under /api/v1/, its schema and docs, the frontend."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from annotations.api.common import endpoint_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("annotations.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Any other path under /api/ answers 404 in the API's JSON error shape, newlines included.
    re_path(r"^api/(?P<path>[\s\S]*)$", endpoint_not_found),
    # The frontend (login, home, review workspace, lead pages) at the site's root.
    path("", include("annotations.web.urls")),
]
