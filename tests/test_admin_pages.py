"""Every model's admin changelist and change page load for a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotations.models import (
    AuditEvent,
    Dispute,
    DocumentAgreement,
    EvidenceLink,
    PreannotationItem,
    PreannotationRun,
    Resolution,
    Zone,
)
from annotations.services import audit_record
from tests.factories import JobFactory, MembershipFactory, SpanFactory, SuggestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(superuser: object) -> None:
    span = SpanFactory()
    document = span.assignment.document
    MembershipFactory(project=document.project, user=span.assignment.reviewer)
    EvidenceLink.objects.create(
        span=span, url="https://example.org/e", stance="supports", added_by=span.assignment.reviewer
    )
    run = PreannotationRun.objects.create(
        project=document.project, engine="e", engine_version="1", documents_total=1
    )
    PreannotationItem.objects.create(run=run, document=document)
    JobFactory(project=document.project, created_by=span.assignment.reviewer)
    Zone.objects.create(
        document=document, engine="e", engine_version="1", kind="body", start=0, end=5
    )
    SuggestionFactory(document=document, end=5, label="opinion")
    dispute = Dispute.objects.create(document=document, start=0, end=5, kind="label")
    dispute.spans.add(span)
    Resolution.objects.create(
        document=document,
        dispute=dispute,
        lead=span.assignment.reviewer,
        no_span=True,
        rationale="Not a claim.",
        created_at=timezone.now(),
    )
    DocumentAgreement.objects.create(project=document.project, document=document)
    audit_record(actor=None, action="test", entity=document)
    Group.objects.create(name="Editors")
    Token.objects.create(user=span.assignment.reviewer)
    assert AuditEvent.objects.exists()


def test_every_registered_model_has_working_changelist_and_change_pages(
    client: Client, superuser: object, populated: None
) -> None:
    client.force_login(superuser)
    checked = 0
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        obj = model.objects.first()
        assert obj is not None, f"no {info} row to open"
        change = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        assert change.status_code == 200, info
        checked += 1
    assert checked >= 15


def test_history_is_read_only_in_the_admin(
    client: Client, superuser: object, populated: None
) -> None:
    client.force_login(superuser)
    resolution = Resolution.objects.get()
    page = client.get(reverse("admin:annotations_resolution_change", args=[resolution.pk]))
    assert b'name="rationale"' not in page.content
    delete = client.get(
        reverse("admin:annotations_auditevent_delete", args=[AuditEvent.objects.first().pk])
    )
    assert delete.status_code == 403
    dispute = Dispute.objects.get()
    page = client.get(reverse("admin:annotations_dispute_change", args=[dispute.pk]))
    assert b'name="status"' not in page.content
    for model in ("dispute", "resolution", "documentagreement"):
        assert client.get(reverse(f"admin:annotations_{model}_add")).status_code == 403
    changelist = reverse("admin:annotations_dispute_changelist")
    project_filter = {"document__project__id__exact": dispute.document.project_id}
    listed = client.get(changelist, {"status": "open", "kind": "label", **project_filter})
    assert b"1 dispute" in listed.content
    listed = client.get(changelist, {"kind": "presence", **project_filter})
    assert b"0 disputes" in listed.content


def test_adding_a_document_in_the_admin_goes_through_the_importer(
    client: Client, superuser: object, project: object
) -> None:
    from annotations.models import Document, DocumentStatus, PreannotationRun

    client.force_login(superuser)
    url = reverse("admin:annotations_document_add")
    form = {
        "project": project.pk,
        "title": "",
        "text": "Headline here\r\n\r\nThe mayor said so.",
        "source_url": "",
        "author": "",
        "outlet": "",
        "published_on": "",
        "priority": "5",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.title == "Headline here"
    assert document.text == "Headline here\n\nThe mayor said so."  # normalised once
    assert len(document.text_sha256) == 64
    assert (document.priority, document.status) == (5, DocumentStatus.PREANNOTATING)
    assert PreannotationRun.objects.filter(project=project).count() == 1

    duplicate = client.post(url, form | {"text": "Headline here\n\nThe mayor said so."})
    assert duplicate.status_code == 200
    assert f"already in the project as document #{document.pk}" in duplicate.content.decode()
    empty = client.post(url, form | {"text": "\x07"})
    assert "Not imported: the text is empty." in empty.content.decode()
    assert Document.objects.count() == 1


def test_a_documents_text_project_and_status_cannot_be_edited_in_the_admin(
    client: Client, superuser: object
) -> None:
    from tests.factories import DocumentFactory

    document = DocumentFactory()
    client.force_login(superuser)
    page = client.get(reverse("admin:annotations_document_change", args=[document.pk])).content
    assert b'name="title"' in page
    for field in (b'name="text"', b'name="status"', b'name="project"'):
        assert field not in page
