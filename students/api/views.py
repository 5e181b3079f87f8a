"""API of student imports and lists (API.md §Students)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from pixorga.errors import errors
from pixorga.schema import paginated
from pixorga.tenancy import OrganizationApi
from students import selectors
from students.models import LearnerImport
from students.services import imports


class LearnerImportOutput(serializers.Serializer):
    class Meta:
        ref_name = "LearnerImport"

    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    summary = serializers.DictField()


def _import_payload(learner_import: LearnerImport) -> dict:
    summary = learner_import.summary or {"created": 0, "updated": 0, "disabled": 0}
    return {
        "id": learner_import.pk,
        "status": learner_import.status,
        "progress": imports.learner_import_progress(learner_import),
        "errors": learner_import.errors,
        "summary": summary,
    }


class LearnerImportCreateApi(OrganizationApi):
    required_role = Membership.Role.ADMIN
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LearnerImportInput"

        file = serializers.FileField()
        format = serializers.ChoiceField(choices=LearnerImport.Format.values, default=LearnerImport.Format.SIECLE_XML)

    @extend_schema(
        request=InputSerializer,
        responses={
            202: inline_serializer(
                "LearnerImportCreated", {"id": serializers.IntegerField(), "status": serializers.CharField()}
            ),
            **errors(400, 403, 404, 409, 413),
        },
    )
    def post(self, request, org_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        learner_import = imports.learner_import_create(
            organization=self.organization,
            created_by=request.user,
            uploaded_file=data.validated_data["file"],
            file_format=data.validated_data["format"],
            apply_when_valid=True,
        )
        return Response({"id": learner_import.pk, "status": learner_import.status}, status=status.HTTP_202_ACCEPTED)


class LearnerImportDetailApi(APIView):
    @extend_schema(responses={200: LearnerImportOutput, **errors(403, 404)})
    def get(self, request, import_id: int):
        learner_import = selectors.learner_import_get_for_admin(user=request.user, import_id=import_id)
        return Response(_import_payload(learner_import))


class LearnerPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LearnerListApi(OrganizationApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Learner"

        id = serializers.IntegerField()
        national_student_id = serializers.CharField(allow_null=True)
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        birthdate = serializers.DateField(allow_null=True)
        division = serializers.CharField()
        is_disabled = serializers.BooleanField()
        username = serializers.CharField(source="user.username", allow_null=True, default=None)
        certifiable = serializers.BooleanField(allow_null=True, default=None)

    class FilterSerializer(serializers.Serializer):
        division = serializers.ListField(
            child=serializers.CharField(allow_blank=True), required=False, default=list, help_text="Classe ; répétable."
        )
        search = serializers.CharField(required=False, allow_blank=True, default="", help_text="Nom, prénom ou INE.")
        include_disabled = serializers.BooleanField(required=False, default=False, help_text="Avec les désactivés.")

    @extend_schema(
        parameters=[
            FilterSerializer,
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="De 1 à 200 (50 par défaut)."),
        ],
        responses={200: paginated(OutputSerializer, "LearnerPage"), **errors(400, 403, 404)},
    )
    def get(self, request, org_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        learners = selectors.learners_list_for_organization(
            organization=self.organization,
            search=filters.validated_data["search"],
            divisions=[d for d in filters.validated_data["division"] if d] or None,
            include_disabled=filters.validated_data["include_disabled"],
        )
        paginator = LearnerPagination()
        page = paginator.paginate_queryset(learners, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
