"""Token authentication: exchange a username and password for an API token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations import services
from annotations.api.common import errors
from annotations.exceptions import InvalidInput


class TokenView(APIView):
    """Get your API token; send it as `Authorization: Token <key>`."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    class TokenInputSerializer(serializers.Serializer[Any]):
        username = serializers.CharField()
        password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    class TokenOutputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField()

    @extend_schema(
        operation_id="auth_token",
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer, **errors(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise InvalidInput(
                "The username or password is wrong.",
                fields={"password": ["The username or password is wrong."]},
            )
        return Response({"token": services.token_issue(user=user)})
