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
    EvidenceLink,
    PreannotationItem,
    PreannotationRun,
    Resolution,
    Suggestion,
    Zone,
)
from annotations.services import audit_record
from tests.factories import MembershipFactory, SpanFactory

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
    Zone.objects.create(
        document=document, engine="e", engine_version="1", kind="body", start=0, end=5
    )
    Suggestion.objects.create(
        document=document,
        engine="e",
        engine_version="1",
        start=0,
        end=5,
        label="opinion",
        reason="r",
        confidence=0.5,
    )
    dispute = Dispute.objects.create(document=document, start=0, end=5, kind="label")
    dispute.spans.add(span)
    Resolution.objects.create(
        dispute=dispute,
        lead=span.assignment.reviewer,
        no_span=True,
        rationale="Not a claim.",
        created_at=timezone.now(),
    )
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
