"""The frontend's pages, served at the site's root (the API lives under /api/v1/)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from annotations.web import lead_views, views
from annotations.web.forms import LoginForm

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html",
            success_url=reverse_lazy("web:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("projects/<int:project_id>/next", views.claim_next, name="claim-next"),
    path("review/<int:assignment_id>/", views.workspace, name="workspace"),
    path(
        "projects/<int:project_id>/agreement/",
        lead_views.agreement_dashboard,
        name="agreement",
    ),
    path("projects/<int:project_id>/disputes/", lead_views.dispute_queue, name="disputes"),
    path("projects/<int:project_id>/disputes/next", lead_views.dispute_next, name="dispute-next"),
    path("disputes/<int:dispute_id>/", lead_views.dispute_workspace, name="dispute"),
    path("projects/<int:project_id>/reports/", lead_views.reports, name="reports"),
    path("projects/<int:project_id>/report/", lead_views.report, name="report"),
]
