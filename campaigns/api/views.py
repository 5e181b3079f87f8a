"""Learner-journey API of campaigns (API.md §Learner journey)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import selectors
from campaigns.models import Campaign, CampaignParticipation
from campaigns.services import campaigns as campaign_services
from campaigns.services import participations
from crcn.selectors import target_profiles_available_for_organization
from pixorga.errors import errors
from pixorga.names import fold_name
from pixorga.schema import paginated
from pixorga.tenancy import OrganizationApi
from pixorga.throttling import ScopedRateThrottle
from students.services.reconciliation import learner_reconcile_attempt


class CampaignByCodeApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignByCode"

        code = serializers.CharField()
        name = serializers.CharField()
        title = serializers.CharField()
        type = serializers.CharField()
        organization_name = serializers.CharField(source="organization.name")
        custom_landing_page_text = serializers.CharField()
        external_id_label = serializers.CharField()
        requires_reconciliation = serializers.BooleanField(source="is_restricted")
        is_archived = serializers.BooleanField()

    @extend_schema(responses={200: OutputSerializer, **errors(404, 429)})
    def get(self, request, code: str):
        campaign = selectors.campaign_get_by_code(code=code)
        return Response(self.OutputSerializer(campaign).data)


class ReconciliationApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ReconciliationInput"

        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        birthdate = serializers.DateField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("Reconciliation", {"learner_id": serializers.IntegerField()}),
            **errors(400, 403, 404, 409, 429),
        },
    )
    def post(self, request, code: str):
        campaign = selectors.campaign_get_by_code(code=code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        learner = learner_reconcile_attempt(campaign=campaign, user=request.user, **data.validated_data)
        return Response({"learner_id": learner.pk})


# --- Orga side ---------------------------------------------------------------------------------------


class CampaignOutput(serializers.Serializer):
    class Meta:
        ref_name = "Campaign"

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    title = serializers.CharField()
    target_profile_id = serializers.IntegerField(allow_null=True)
    custom_landing_page_text = serializers.CharField()
    external_id_label = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    is_archived = serializers.BooleanField()
    participants_count = serializers.IntegerField(required=False)
    shared_count = serializers.IntegerField(required=False)


class TargetProfileListApi(OrganizationApi):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TargetProfileSummary"

        id = serializers.IntegerField()
        name = serializers.CharField()
        category = serializers.CharField()
        description = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer(many=True), **errors(403, 404)})
    def get(self, request, org_id: int):
        profiles = target_profiles_available_for_organization(organization=self.organization)
        return Response(self.OutputSerializer(profiles, many=True).data)


class CampaignListCreateApi(OrganizationApi):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignCreateInput"

        name = serializers.CharField(max_length=255)
        type = serializers.ChoiceField(choices=Campaign.Type.values)
        target_profile_id = serializers.IntegerField(required=False, allow_null=True)
        external_id_label = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
        title = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
        custom_landing_page_text = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

    @extend_schema(request=InputSerializer, responses={201: CampaignOutput, **errors(400, 403, 404)})
    def post(self, request, org_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_services.campaign_create(
            organization=self.organization, creator=request.user, **data.validated_data
        )
        return Response(CampaignOutput(campaign).data, status=status.HTTP_201_CREATED)

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["active", "archived"], required=False, default="active")
        name = serializers.CharField(required=False, allow_blank=True, default="", help_text="Une partie du nom.")
        owner = serializers.CharField(
            required=False, allow_blank=True, default="", help_text="Une partie du nom du propriétaire."
        )

    @extend_schema(
        parameters=[FilterSerializer, OpenApiParameter("page", int)],
        responses={200: paginated(CampaignOutput, "CampaignPage"), **errors(400, 403, 404)},
    )
    def get(self, request, org_id: int):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        campaigns = selectors.campaigns_list_for_organization(
            organization=self.organization,
            status=filters.validated_data["status"],
            name=filters.validated_data["name"],
            owner_name=filters.validated_data["owner"],
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(campaigns, request, view=self)
        return paginator.get_paginated_response(CampaignOutput(page, many=True).data)


class CampaignDetailApi(APIView):
    class PatchSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignPatchInput"

        name = serializers.CharField(required=False, max_length=255)
        title = serializers.CharField(required=False, allow_blank=True, max_length=255)
        custom_landing_page_text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
        owner_id = serializers.IntegerField(required=False)

    @extend_schema(responses={200: CampaignOutput, **errors(403, 404)})
    def get(self, request, campaign_id: int):
        campaign, _membership = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        return Response(CampaignOutput(campaign).data)

    @extend_schema(request=PatchSerializer, responses={200: CampaignOutput, **errors(400, 403, 404)})
    def patch(self, request, campaign_id: int):
        campaign, membership = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_services.campaign_update(campaign=campaign, membership=membership, **data.validated_data)
        return Response(CampaignOutput(campaign).data)


class CampaignArchiveApi(APIView):
    archive = True

    @extend_schema(request=None, responses={200: CampaignOutput, **errors(403, 404)})
    def post(self, request, campaign_id: int):
        campaign, membership = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        action = campaign_services.campaign_archive if self.archive else campaign_services.campaign_unarchive
        return Response(CampaignOutput(action(campaign=campaign, membership=membership)).data)


class CampaignParticipantsApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignParticipant"

        participation_id = serializers.IntegerField(source="pk")
        first_name = serializers.CharField(source="organization_learner.first_name", default="")
        last_name = serializers.CharField(source="organization_learner.last_name", default="")
        division = serializers.CharField(source="organization_learner.division", default="")
        participant_external_id = serializers.CharField()
        status = serializers.CharField()
        mastery_rate = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, coerce_to_string=False)
        pix_score = serializers.IntegerField(allow_null=True)
        certifiable = serializers.BooleanField(source="is_certifiable", allow_null=True)
        certifiable_competences_count = serializers.IntegerField(allow_null=True)

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=CampaignParticipation.Status.values, required=False, allow_blank=True, default=""
        )
        division = serializers.CharField(required=False, allow_blank=True, default="", help_text="Classe.")
        search = serializers.CharField(required=False, allow_blank=True, default="", help_text="Nom ou prénom.")

    @extend_schema(
        parameters=[FilterSerializer, OpenApiParameter("page", int)],
        responses={200: paginated(OutputSerializer, "CampaignParticipantPage"), **errors(400, 403, 404)},
    )
    def get(self, request, campaign_id: int):
        campaign, _membership = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        participants = selectors.participants_list_for_campaign(campaign=campaign)
        if filters.validated_data["status"]:
            participants = participants.filter(status=filters.validated_data["status"])
        if filters.validated_data["division"]:
            participants = participants.filter(organization_learner__division=filters.validated_data["division"])
        for word in fold_name(filters.validated_data["search"]).split()[:5]:
            participants = participants.filter(organization_learner__search_text__contains=word)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(participants, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


# --- Learner side ------------------------------------------------------------------------------------


class ParticipationStartApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ParticipationStartInput"

        participant_external_id = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=255, default=""
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "ParticipationStarted",
                {
                    "participation_id": serializers.IntegerField(),
                    "assessment_id": serializers.IntegerField(allow_null=True),
                },
            ),
            **errors(400, 403, 404, 409),
        },
    )
    def post(self, request, code: str):
        campaign = selectors.campaign_get_by_code(code=code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        participation = participations.participation_start(
            campaign=campaign,
            user=request.user,
            participant_external_id=data.validated_data["participant_external_id"] or "",
        )
        assessment = participation.assessments.first()
        return Response(
            {"participation_id": participation.pk, "assessment_id": assessment.pk if assessment else None},
            status=status.HTTP_201_CREATED,
        )


class ParticipationShareApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "ParticipationShared",
                {"status": serializers.CharField(), "shared_at": serializers.DateTimeField(allow_null=True)},
            ),
            **errors(403, 404, 409),
        },
    )
    def post(self, request, participation_id: int):
        participation = selectors.participation_get_for_user(user=request.user, participation_id=participation_id)
        participation = participations.participation_share(participation=participation, user=request.user)
        return Response({"status": participation.status, "shared_at": participation.shared_at})


class ParticipationResultApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ParticipationResult"

        class CompetenceSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ParticipationResultCompetence"

            code = serializers.CharField()
            mastery_rate = serializers.FloatField()

        class StageSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ParticipationResultStage"

            title = serializers.CharField()
            message = serializers.CharField()
            reached = serializers.IntegerField()
            total = serializers.IntegerField()

        status = serializers.CharField()
        mastery_rate = serializers.FloatField(allow_null=True)
        competences = CompetenceSerializer(many=True)
        stage = StageSerializer(required=False)

    @extend_schema(responses={200: OutputSerializer, **errors(403, 404)})
    def get(self, request, participation_id: int):
        from campaigns.results import participation_result

        participation = selectors.participation_get_for_user(user=request.user, participation_id=participation_id)
        body = {"status": participation.status, "mastery_rate": None, "competences": []}
        if participation.campaign.type == Campaign.Type.ASSESSMENT and participation.status != "STARTED":
            result = participation_result(participation=participation)
            body["mastery_rate"] = round(result.mastery_percentage / 100, 2)
            body["competences"] = [
                {"code": c.code, "mastery_rate": round(c.percentage / 100, 2)} for c in result.competences
            ]
            if result.stage is not None:
                body["stage"] = {
                    "title": result.stage.title,
                    "message": result.stage.message,
                    "reached": result.stage_number,
                    "total": result.stages_count,
                }
        return Response(body)


class CampaignExportCreateApi(APIView):
    @extend_schema(
        request=None,
        responses={
            202: inline_serializer("CampaignExportCreated", {"id": serializers.IntegerField()}),
            **errors(403, 404),
        },
    )
    def post(self, request, campaign_id: int):
        from campaigns.services.exports import campaign_export_request

        campaign, membership = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        export = campaign_export_request(campaign=campaign, membership=membership)
        return Response({"id": export.pk}, status=status.HTTP_202_ACCEPTED)


class CampaignExportDetailApi(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "CampaignExport",
                {
                    "status": serializers.ChoiceField(choices=["PENDING", "RUNNING", "DONE", "FAILED"]),
                    "progress": serializers.IntegerField(min_value=0, max_value=100),
                    "download_url": serializers.URLField(required=False, help_text="Quand le fichier est prêt."),
                },
            ),
            **errors(403, 404),
        }
    )
    def get(self, request, export_id: int):
        from django.urls import reverse

        from campaigns.services.exports import campaign_export_progress

        export = selectors.campaign_export_get_for_user(user=request.user, export_id=export_id)
        body = {"status": export.status, "progress": campaign_export_progress(export)}
        if export.status == export.Status.DONE:
            # The API's own route: a token client downloads with its token (the page route asks for a login).
            body["download_url"] = request.build_absolute_uri(reverse("api-export-file", args=[export.pk]))
        return Response(body)


class CampaignExportFileApi(APIView):
    """The finished CSV (reference §5.5), with the API's authentication; 404 until it is built."""

    @extend_schema(responses={(200, "text/csv"): bytes, **errors(403, 404)})
    def get(self, request, export_id: int):
        from django.http import FileResponse, Http404

        export = selectors.campaign_export_get_for_user(user=request.user, export_id=export_id)
        if export.status != export.Status.DONE or not export.file:
            raise Http404
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=export.filename, content_type="text/csv; charset=utf-8"
        )


class CampaignAnalysisApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CampaignAnalysis"

        class CompetenceSerializer(serializers.Serializer):
            class Meta:
                ref_name = "CampaignAnalysisCompetence"

            code = serializers.CharField()
            name = serializers.CharField()
            average_validated_skills = serializers.FloatField()
            total_skills_count = serializers.IntegerField()

        class TubeSerializer(serializers.Serializer):
            class Meta:
                ref_name = "CampaignAnalysisTube"

            class TutorialSerializer(serializers.Serializer):
                class Meta:
                    ref_name = "CampaignAnalysisTutorial"

                title = serializers.CharField()
                url = serializers.URLField()
                source = serializers.CharField()
                format = serializers.CharField()
                duration_minutes = serializers.IntegerField()

            tube_id = serializers.CharField()
            title = serializers.CharField()
            competence_code = serializers.CharField()
            average_score = serializers.FloatField(allow_null=True)
            bubbles = serializers.IntegerField()
            tutorials = TutorialSerializer(many=True)

        participants_count = serializers.IntegerField()
        competences = CompetenceSerializer(many=True)
        tubes = TubeSerializer(many=True)

    class FilterSerializer(serializers.Serializer):
        division = serializers.ListField(
            child=serializers.CharField(allow_blank=True), required=False, default=list, help_text="Classe ; répétable."
        )

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer, **errors(400, 403, 404)})
    def get(self, request, campaign_id: int):
        from campaigns.dashboards import campaign_analysis

        campaign, _membership = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        divisions = [d for d in filters.validated_data["division"] if d]
        analysis = campaign_analysis(campaign, divisions=divisions or None)
        return Response(
            {
                "participants_count": analysis.participants,
                "competences": [
                    {
                        "code": c.code,
                        "name": c.name,
                        "average_validated_skills": round(c.average_validated_skills, 2),
                        "total_skills_count": c.total_skills_count,
                    }
                    for c in analysis.competences
                ],
                "tubes": [
                    {
                        "tube_id": t.tube_id,
                        "title": t.title,
                        "competence_code": t.competence_code,
                        "average_score": round(t.average_score, 2) if t.average_score is not None else None,
                        "bubbles": t.bubbles,
                        "tutorials": [
                            {
                                "title": x.title,
                                "url": x.url,
                                "source": x.source,
                                "format": x.format,
                                "duration_minutes": x.duration_minutes,
                            }
                            for x in t.tutorials
                        ],
                    }
                    for t in analysis.tubes
                ],
            }
        )
