"""API of the accounts area (API.md §Authentication, learner sign-up, organisation reads)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from certification.selectors import centers_list_for_user
from pixorga.celery import app as celery_app
from pixorga.errors import ApplicationError, errors
from pixorga.tenancy import OrganizationApi
from pixorga.throttling import ScopedRateThrottle

INVALID_CREDENTIALS = "L'identifiant ou le mot de passe est incorrect."


class TokenObtainApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TokenObtainInput"

        login = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()}), **errors(400, 429)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request, username=data.validated_data["login"], password=data.validated_data["password"]
        )
        if user is None:
            raise ApplicationError(INVALID_CREDENTIALS, "INVALID_CREDENTIALS")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MeOutput"

        id = serializers.IntegerField()
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        email = serializers.EmailField(allow_null=True)
        username = serializers.CharField(allow_null=True)
        memberships = serializers.ListField(child=serializers.DictField())
        certification_centers = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses={200: OutputSerializer, **errors(403)})
    def get(self, request):
        user = request.user
        memberships = [
            {"organization_id": m.organization_id, "organization_name": m.organization.name, "role": m.role}
            for m in selectors.memberships_list_for_user(user=user)
        ]
        return Response(
            {
                "id": user.pk,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "username": user.username,
                "memberships": memberships,
                "certification_centers": [
                    {"id": access.center.pk, "name": access.center.name, "role": access.role}
                    for access in centers_list_for_user(user=user)
                ],
            }
        )


class HealthApi(APIView):
    """Liveness of the two components every request or task needs: the database and the broker."""

    authentication_classes = []
    permission_classes = [AllowAny]

    HEALTH = inline_serializer(
        "Health",
        {"status": serializers.CharField(), "database": serializers.CharField(), "broker": serializers.CharField()},
    )

    @extend_schema(
        responses={200: HEALTH, 503: OpenApiResponse(HEALTH, description="La base ou le broker ne répond pas.")}
    )
    def get(self, request):
        result = {"status": "ok", "database": "ok", "broker": "ok"}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:
            result["database"] = "error"
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
                conn.default_channel.client.ping()
        except Exception:
            result["broker"] = "error"
        if "error" in result.values():
            result["status"] = "error"
            return Response(result, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(result)


class UserCreateApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "UserCreateInput"

        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, allow_null=True, allow_blank=True)
        birthdate = serializers.DateField(required=False, allow_null=True)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        cgu = serializers.BooleanField(required=False, default=True)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "UserCreateOutput"

        id = serializers.IntegerField()
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        email = serializers.EmailField(allow_null=True)
        username = serializers.CharField(allow_null=True)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer, **errors(400, 429)})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = services.user_create(
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values.get("email"),
            birthdate=values.get("birthdate"),
            password=values["password"],
            cgu_accepted=values["cgu"],
        )
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class OrganizationDetailApi(OrganizationApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "OrganizationDetailOutput"

        id = serializers.IntegerField()
        name = serializers.CharField()
        type = serializers.CharField()
        external_id = serializers.CharField()
        is_managing_students = serializers.BooleanField()
        role = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer, **errors(403, 404)})
    def get(self, request, org_id: int):
        organization = self.organization
        return Response(
            {
                "id": organization.pk,
                "name": organization.name,
                "type": organization.type,
                "external_id": organization.external_id,
                "is_managing_students": organization.is_managing_students,
                "role": self.membership.role,
            }
        )


class OrganizationMembersApi(OrganizationApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "OrganizationMembersOutput"

        id = serializers.IntegerField()
        user_id = serializers.IntegerField()
        first_name = serializers.CharField(source="user.first_name")
        last_name = serializers.CharField(source="user.last_name")
        email = serializers.EmailField(source="user.email", allow_null=True)
        role = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer(many=True), **errors(403, 404)})
    def get(self, request, org_id: int):
        members = selectors.members_list_for_organization(organization=self.organization)
        return Response(self.OutputSerializer(members, many=True).data)
