"""Learner-journey API of campaigns (API.md §Learner journey)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from campaigns import selectors
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

    @extend_schema(responses=OutputSerializer)
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

    @extend_schema(request=InputSerializer, responses={200: None})
    def post(self, request, code: str):
        campaign = selectors.campaign_get_by_code(code=code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        learner = learner_reconcile_attempt(campaign=campaign, user=request.user, **data.validated_data)
        return Response({"learner_id": learner.pk})
