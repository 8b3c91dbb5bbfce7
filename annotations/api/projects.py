"""Projects and their memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.api.common import ProjectScopedView, errors
from annotations.api.outputs import ProjectOutputSerializer
from annotations.exceptions import InvalidInput
from annotations.models import Membership, Project, Role
from annotations.permissions import IsProjectAdmin, IsProjectLead, IsProjectMember, IsSuperuser
from annotations.selectors import projects_visible, user_addable


def _roles(user: Any, projects: list[Project]) -> dict[int, str | None]:
    if user.is_superuser:
        return {project.pk: Role.ADMIN for project in projects}
    return dict(
        Membership.objects.filter(user=user, project__in=projects).values_list("project_id", "role")
    )


class ProjectListView(ListAPIView[Project]):
    """Projects you belong to; superusers create new ones."""

    serializer_class = ProjectOutputSerializer

    class ProjectCreateInputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        reviews_required = serializers.IntegerField(min_value=1, max_value=20, default=2)
        lease_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, default=30)
        dispute_tolerance = serializers.IntegerField(min_value=0, max_value=1000, default=3)

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), IsSuperuser()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Project]:
        return projects_visible(user=self.request.user).prefetch_related("labels").order_by("name")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        context = {"roles": _roles(request.user, list(page))}
        return self.get_paginated_response(
            ProjectOutputSerializer(page, many=True, context=context).data
        )

    @extend_schema(responses={200: ProjectOutputSerializer(many=True), **errors(401, 404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="project_create",
        request=ProjectCreateInputSerializer,
        responses={201: ProjectOutputSerializer, **errors(400, 401, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        data = self.ProjectCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(actor=request.user, **data.validated_data)
        context = {"roles": {project.pk: Role.ADMIN}}
        return Response(
            ProjectOutputSerializer(project, context=context).data, status=status.HTTP_201_CREATED
        )


class ProjectDetailView(ProjectScopedView):
    """One project, its labels and your role in it."""

    permission_classes = [IsAuthenticated, IsProjectMember]

    @extend_schema(responses={200: ProjectOutputSerializer, **errors(401, 404)})
    def get(self, request: Request, project_id: int) -> Response:
        project = self.get_project()
        roles = {project.pk: request.__dict__["_factcheck_roles"][project.pk]}
        return Response(ProjectOutputSerializer(project, context={"roles": roles}).data)


class MembershipOutputSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "project", "user", "username", "role", "created_at"]


class MembershipListView(ProjectScopedView, ListAPIView[Membership]):
    """Members of the project (leads and admins see them); admins add members or change roles."""

    serializer_class = MembershipOutputSerializer

    class MembershipSetInputSerializer(serializers.Serializer[Any]):
        username = serializers.CharField(help_text="The user to add or change.")
        role = serializers.ChoiceField(choices=Role.choices)

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), IsProjectAdmin()]
        return [IsAuthenticated(), IsProjectLead()]

    def get_queryset(self) -> QuerySet[Membership]:
        return (
            Membership.objects.filter(project=self.get_project())
            .select_related("user")
            .order_by("user__username")
        )

    @extend_schema(responses={200: MembershipOutputSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="membership_set",
        request=MembershipSetInputSerializer,
        responses={200: MembershipOutputSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = self.get_project()
        data = self.MembershipSetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_addable(actor=request.user, username=data.validated_data["username"])
        if user is None:
            # The same answer for names that do not exist and names one may not see.
            raise InvalidInput(
                "username: No such user.",
                fields={"username": ["No user with this name that you can add."]},
            )
        membership = services.membership_set(
            project=project, user=user, role=data.validated_data["role"], actor=request.user
        )
        return Response(MembershipOutputSerializer(membership).data)
