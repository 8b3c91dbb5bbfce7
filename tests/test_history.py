"""History: every change is an audit row with who, when, before and after, reachable from each
object's admin page; nothing submitted or decided can be changed or deleted in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import (
    AssignmentState,
    AuditEvent,
    Dispute,
    DisputeStatus,
    EvidenceLink,
    Membership,
    Project,
    Role,
    Span,
)
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    EvidenceLinkFactory,
    MembershipFactory,
    SpanFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(superuser: Any) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def change_url(obj: Any) -> str:
    return reverse(f"admin:annotations_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj: Any) -> str:
    return reverse(f"admin:annotations_{obj._meta.model_name}_delete", args=[obj.pk])


@pytest.fixture
def submitted(team: Any) -> Any:
    document = DocumentFactory(project=team.project)
    assignment = AssignmentFactory(
        document=document,
        reviewer=team.reviewer,
        state=AssignmentState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    span = SpanFactory(assignment=assignment, start=0, end=5)
    link = EvidenceLinkFactory(span=span)
    return assignment, span, link


def test_the_api_workflow_records_who_when_before_and_after(api: Any, team: Any) -> None:
    DocumentFactory(project=team.project, text="The minister said 40 schools would close.")
    api.force_authenticate(team.reviewer)
    assignment = api.post(f"/api/v1/projects/{team.project.pk}/queue/next").json()
    span = api.post(
        f"/api/v1/assignments/{assignment['id']}/spans",
        {"start": 0, "end": 12, "label": "opinion"},
        format="json",
    ).json()
    api.patch(f"/api/v1/spans/{span['id']}", {"version": 2, "label": "sourced"}, format="json")
    link = api.post(
        f"/api/v1/spans/{span['id']}/evidence",
        {"url": "https://example.org/a", "stance": "supports", "title": "A"},
        format="json",
    ).json()
    api.delete(f"/api/v1/evidence/{link['id']}?version=4")
    api.post(f"/api/v1/assignments/{assignment['id']}/submit", {"version": 5}, format="json")
    events = {event.action: event for event in AuditEvent.objects.all()}
    assert {
        "assignment.claimed",
        "span.created",
        "span.updated",
        "evidence.added",
        "evidence.deleted",
        "assignment.submitted",
    } <= set(events), sorted(events)
    for action, event in events.items():
        assert event.created_at is not None
        if action.startswith(("span.", "evidence.", "assignment.")):
            assert event.actor == team.reviewer, action
    assert (events["span.updated"].before or {})["label"] == "opinion"
    assert (events["span.updated"].after or {})["label"] == "sourced"
    assert (events["evidence.added"].after or {})["title"] == "A"
    assert (events["evidence.deleted"].before or {})["url"] == "https://example.org/a"
    assert events["assignment.submitted"].before == {"state": AssignmentState.ACTIVE}


@pytest.mark.parametrize("kind", ["assignment", "span", "evidence", "project", "membership"])
def test_each_objects_admin_page_links_to_its_history(
    admin_client: Client, team: Any, submitted: Any, kind: str
) -> None:
    assignment, span, link = submitted
    obj = {
        "assignment": assignment,
        "span": span,
        "evidence": link,
        "project": team.project,
        "membership": Membership.objects.get(project=team.project, user=team.reviewer),
    }[kind]
    AuditEvent.objects.create(
        action="x.changed", entity_type=obj._meta.model_name, entity_id=obj.pk, after={"a": 1}
    )
    AuditEvent.objects.create(
        action="other.changed", entity_type=obj._meta.model_name, entity_id=obj.pk + 1000
    )
    page = admin_client.get(change_url(obj))
    assert page.status_code == 200
    history = (
        reverse("admin:annotations_auditevent_changelist")
        + f"?entity_type={obj._meta.model_name}&amp;entity_id={obj.pk}"
    )
    assert history in page.content.decode()
    listing = admin_client.get(history.replace("&amp;", "&"))
    assert listing.status_code == 200
    assert [event.action for event in listing.context["cl"].result_list] == ["x.changed"]


def test_the_admin_refuses_to_change_or_delete_submitted_work(
    admin_client: Client, submitted: Any
) -> None:
    assignment, span, link = submitted
    for obj in (assignment, span, link):
        assert admin_client.post(
            change_url(obj), {"state": "active", "label": "x"}
        ).status_code in (
            403,
            302,
        )
        assert admin_client.post(delete_url(obj), {"post": "yes"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    assert Span.objects.filter(pk=span.pk, label=span.label).exists()
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


def test_the_admin_cannot_change_an_open_assignments_state_by_hand(
    admin_client: Client, team: Any
) -> None:
    assignment = AssignmentFactory(document=DocumentFactory(project=team.project))
    page = admin_client.get(change_url(assignment))
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()


def test_the_admin_refuses_to_delete_a_project_or_document_holding_submitted_work(
    admin_client: Client, team: Any, submitted: Any
) -> None:
    assignment = submitted[0]
    for obj in (team.project, assignment.document):
        admin_client.post(delete_url(obj), {"post": "yes"})
    assert Project.objects.filter(pk=team.project.pk).exists()
    assignment.refresh_from_db()


def test_the_admin_refuses_to_change_a_decided_dispute(
    admin_client: Client, submitted: Any
) -> None:
    span = submitted[1]
    dispute = Dispute.objects.create(
        document=span.assignment.document,
        start=0,
        end=5,
        kind="label",
        status=DisputeStatus.RESOLVED,
    )
    response = admin_client.post(change_url(dispute), {"status": DisputeStatus.OPEN})
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED


def test_membership_changes_in_the_admin_are_recorded(admin_client: Client, team: Any) -> None:
    membership = Membership.objects.get(project=team.project, user=team.reviewer)
    response = admin_client.post(
        change_url(membership),
        {"user": team.reviewer.pk, "project": team.project.pk, "role": Role.LEAD},
    )
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.get(entity_type="membership", entity_id=membership.pk)
    assert (event.before or {})["role"] == Role.REVIEWER
    assert (event.after or {})["role"] == Role.LEAD
    assert event.actor is not None


def inline_forms(prefix: str, rows: list[Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The POST data of an admin inline formset holding `rows` unchanged."""
    form: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": len(rows),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        form[f"{prefix}-{n}-id"] = row.pk
        form[f"{prefix}-{n}-project"] = row.project_id
        for field in fields:
            form[f"{prefix}-{n}-{field.removesuffix('_id')}"] = getattr(row, field)
    return form


def test_project_changes_in_the_admin_are_recorded_with_their_inlines(
    admin_client: Client, team: Any
) -> None:
    project = team.project
    page = admin_client.get(change_url(project))
    assert page.status_code == 200
    form = {
        "name": "Renamed desk",
        "description": project.description,
        "reviews_required": project.reviews_required,
        "lease_minutes": project.lease_minutes,
        "dispute_tolerance": project.dispute_tolerance,
    }
    labels = list(project.labels.order_by("id"))
    form |= inline_forms("labels", labels, ("value", "name", "color", "hotkey", "ordering"))
    memberships = list(project.memberships.order_by("id"))
    form |= inline_forms("memberships", memberships, ("user_id", "role"))
    for n, membership in enumerate(memberships):
        if membership.user_id == team.reviewer2.pk:
            form[f"memberships-{n}-DELETE"] = "on"
    response = admin_client.post(change_url(project), form)
    assert response.status_code == 302, [
        (f.formset.prefix, f.formset.errors, f.formset.non_form_errors())
        for f in response.context["inline_admin_formsets"]
    ] + [response.context["adminform"].form.errors]
    changed = AuditEvent.objects.get(entity_type="project", entity_id=project.pk)
    assert (changed.before or {})["name"] != "Renamed desk"
    assert (changed.after or {})["name"] == "Renamed desk"
    removed = AuditEvent.objects.get(entity_type="membership", action="membership.deleted")
    assert (removed.before or {})["user_id"] == team.reviewer2.pk
    assert removed.after is None


def test_a_members_removal_in_the_membership_admin_is_recorded(
    admin_client: Client, team: Any
) -> None:
    extra = MembershipFactory(project=team.other_project, role=Role.LEAD)
    response = admin_client.post(delete_url(extra), {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(entity_type="membership", entity_id=extra.pk)
    assert event.action == "membership.deleted"
    assert (event.before or {})["role"] == Role.LEAD
