"""Least privilege: reviewers see only their assignments' documents; project admins cannot
touch superusers or probe which user names exist."""

from __future__ import annotations

from typing import Any

import pytest

from annotations.models import Membership, Role
from tests.factories import AssignmentFactory, DocumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(team: Any) -> Any:
    mine = DocumentFactory(project=team.project, title="Mine")
    theirs = DocumentFactory(project=team.project, title="Theirs")
    unclaimed = DocumentFactory(project=team.project, title="Unclaimed")
    AssignmentFactory(document=mine, reviewer=team.reviewer)
    AssignmentFactory(document=theirs, reviewer=team.reviewer2)
    return mine, theirs, unclaimed


def titles(api: Any, team: Any) -> list[str]:
    response = api.get(f"/api/v1/projects/{team.project.pk}/documents")
    assert response.status_code == 200
    return sorted(row["title"] for row in response.json()["results"])


def test_a_reviewer_lists_only_the_documents_of_their_assignments(
    api: Any, team: Any, documents: Any
) -> None:
    api.force_authenticate(team.reviewer)
    assert titles(api, team) == ["Mine"]


def test_a_reviewer_cannot_open_a_document_they_are_not_assigned(
    api: Any, team: Any, documents: Any
) -> None:
    mine, theirs, unclaimed = documents
    api.force_authenticate(team.reviewer)
    assert api.get(f"/api/v1/documents/{mine.pk}").status_code == 200
    for other in (theirs, unclaimed):
        response = api.get(f"/api/v1/documents/{other.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_reviewer_removed_from_the_project_loses_its_documents(
    api: Any, team: Any, documents: Any
) -> None:
    mine = documents[0]
    Membership.objects.filter(project=team.project, user=team.reviewer).delete()
    api.force_authenticate(team.reviewer)
    assert api.get(f"/api/v1/documents/{mine.pk}").status_code == 404


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_leads_and_admins_see_every_document(
    api: Any, team: Any, documents: Any, role: str
) -> None:
    api.force_authenticate(getattr(team, role))
    assert titles(api, team) == ["Mine", "Theirs", "Unclaimed"]
    for document in documents:
        assert api.get(f"/api/v1/documents/{document.pk}").status_code == 200


def set_role(api: Any, team: Any, username: str, role: str = "reviewer") -> Any:
    return api.post(
        f"/api/v1/projects/{team.project.pk}/memberships",
        {"username": username, "role": role},
        format="json",
    )


def test_a_project_admin_cannot_change_a_superusers_membership(api: Any, team: Any) -> None:
    boss = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(project=team.project, user=boss, role=Role.ADMIN)
    api.force_authenticate(team.admin)
    response = set_role(api, team, boss.username)
    assert response.status_code == 400
    assert Membership.objects.get(project=team.project, user=boss).role == Role.ADMIN


def test_membership_answers_the_same_for_unknown_and_unseen_users(api: Any, team: Any) -> None:
    boss = UserFactory(is_staff=True, is_superuser=True)
    api.force_authenticate(team.admin)
    unknown = set_role(api, team, "no-such-user-anywhere")
    # The outsider exists, but only in a project this admin has nothing to do with.
    unseen = set_role(api, team, team.outsider.username)
    superuser = set_role(api, team, boss.username)
    assert unknown.status_code == unseen.status_code == superuser.status_code == 400
    assert unknown.json() == unseen.json() == superuser.json()
    assert not Membership.objects.filter(project=team.project, user=team.outsider).exists()


def test_a_project_admin_adds_people_from_projects_they_lead(api: Any, team: Any) -> None:
    MembershipFactory(project=team.other_project, user=team.admin, role=Role.LEAD)
    api.force_authenticate(team.admin)
    response = set_role(api, team, team.outsider.username)
    assert response.status_code == 200
    assert response.json()["username"] == team.outsider.username


def test_a_superuser_adds_anyone(api: Any, team: Any, superuser: Any) -> None:
    api.force_authenticate(superuser)
    assert set_role(api, team, team.outsider.username).status_code == 200
