"""Who belongs to which project, in which role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import OuterRef, QuerySet, Subquery

from annotations.exceptions import NotFound
from annotations.models import Membership, Project, Role

AnyUser = AbstractBaseUser | AnonymousUser
LEAD_ROLES = frozenset({Role.LEAD, Role.ADMIN})


def projects_visible(*, user: AnyUser) -> QuerySet[Project]:
    """The projects `user` belongs to (all of them for superusers)."""
    if not user.is_authenticated:
        return Project.objects.none()
    if getattr(user, "is_superuser", False):
        return Project.objects.all()
    return Project.objects.filter(memberships__user_id=user.pk)


def project_role(*, user: AnyUser, project_id: int) -> Role | None:
    """The user's role in the project; superusers are admins everywhere; None if not a member."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    role = (
        Membership.objects.filter(project_id=project_id, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role is not None else None


def project_get(*, user: AnyUser, project_id: int) -> tuple[Project, Role]:
    """The project with the caller's role in it; NotFound if it does not exist for them.

    One query: every project-scoped request starts here, so the role comes along with it.
    """
    if not user.is_authenticated:
        raise NotFound("No such project.")
    projects = Project.objects.filter(pk=project_id)
    if not getattr(user, "is_superuser", False):
        role_of_user = Membership.objects.filter(project=OuterRef("pk"), user_id=user.pk)
        projects = projects.annotate(caller_role=Subquery(role_of_user.values("role")[:1]))
    project = projects.first()
    if project is None:
        raise NotFound("No such project.")
    if getattr(user, "is_superuser", False):
        return project, Role.ADMIN
    role = project.caller_role  # type: ignore[attr-defined]  # the annotation above
    if role is None:
        raise NotFound("No such project.")
    return project, Role(role)


def user_addable(*, actor: AnyUser, username: str) -> User | None:
    """The user named `username` if `actor` may give them a role, else None.

    Superusers may add anyone. A project admin may add people they can already see, members of
    projects they lead or admin, and never a superuser; every other name, known or not, is
    None, so the answer cannot be used to probe which user names exist.
    """
    users = User.objects.filter(username=username)
    if not getattr(actor, "is_superuser", False):
        if not actor.is_authenticated:
            return None
        led = Membership.objects.filter(user_id=int(actor.pk), role__in=LEAD_ROLES)
        members = Membership.objects.filter(project_id__in=led.values("project_id"))
        users = users.filter(is_superuser=False, pk__in=members.values("user_id"))
    return users.first()
