"""Typed factories for the domain's models; related objects are kept consistent."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from annotations.models import (
    Assignment,
    Document,
    DocumentStatus,
    EvidenceLink,
    EvidenceStance,
    Job,
    JobKind,
    JobState,
    Label,
    Membership,
    PreannotationRun,
    Project,
    Role,
    Span,
    Suggestion,
)
from annotations.services.projects import DEFAULT_LABELS

User = get_user_model()


class UserFactory(DjangoModelFactory[Any]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ProjectFactory(DjangoModelFactory[Project]):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Project {n}")

    @factory.post_generation  # type: ignore[untyped-decorator]
    def labels(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            Label.objects.bulk_create(
                Label(project=self, ordering=i, **label) for i, label in enumerate(DEFAULT_LABELS)
            )


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER


class DocumentFactory(DjangoModelFactory[Document]):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    text = factory.Sequence(
        lambda n: (
            f"Document {n}. The minister said on Monday that 40 schools would close. "
            "This is clearly a disgrace."
        )
    )
    text_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.text.encode()).hexdigest())
    status = DocumentStatus.READY


class AssignmentFactory(DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    document = factory.SubFactory(DocumentFactory)
    project = factory.LazyAttribute(lambda o: o.document.project)
    reviewer = factory.SubFactory(UserFactory)
    claimed_at = factory.LazyFunction(timezone.now)
    lease_expires_at = factory.LazyAttribute(
        lambda o: o.claimed_at + timedelta(minutes=o.project.lease_minutes)
    )


class SpanFactory(DjangoModelFactory[Span]):
    class Meta:
        model = Span

    assignment = factory.SubFactory(AssignmentFactory)
    start = 0
    end = 8
    quote = factory.LazyAttribute(lambda o: o.assignment.document.text[o.start : o.end])
    label = "unsourced"


class EvidenceLinkFactory(DjangoModelFactory[EvidenceLink]):
    class Meta:
        model = EvidenceLink

    span = factory.SubFactory(SpanFactory)
    url = factory.Sequence(lambda n: f"https://example.org/evidence/{n}")
    stance = EvidenceStance.SUPPORTS
    added_by = factory.LazyAttribute(lambda o: o.span.assignment.reviewer)


class PreannotationRunFactory(DjangoModelFactory[PreannotationRun]):
    class Meta:
        model = PreannotationRun

    project = factory.SubFactory(ProjectFactory)
    engine = "factcheck-rules"
    engine_version = "1"
    documents_total = 4
    documents_done = 1


class SuggestionFactory(DjangoModelFactory[Suggestion]):
    class Meta:
        model = Suggestion

    document = factory.SubFactory(DocumentFactory)
    engine = "factcheck-rules"
    engine_version = "test"
    start = 0
    end = 8
    label = "unsourced"
    reason = "a checkable claim with no attribution"
    confidence = 0.5


class JobFactory(DjangoModelFactory[Job]):
    class Meta:
        model = Job

    project = factory.SubFactory(ProjectFactory)
    kind = JobKind.IMPORT
    state = JobState.QUEUED
