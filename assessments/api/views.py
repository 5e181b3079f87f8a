"""The test through the API (API.md §Learner journey): next challenge, answers, the learner's profile."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors as assessment_selectors
from assessments import services
from assessments.models import Assessment
from pixorga.errors import errors


def _assessment(user, assessment_id: int) -> Assessment:
    assessment = services.assessment_of_learner(user=user, assessment_id=assessment_id)
    if assessment is None:
        raise Http404
    return assessment


class NextChallengeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Challenge"

        class FieldSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ChallengeField"

            key = serializers.CharField()
            label = serializers.CharField()

        id = serializers.CharField()
        type = serializers.ChoiceField(choices=["QCU", "QCM", "QROC", "QROCM"])
        instruction = serializers.CharField()
        proposals = serializers.ListField(child=serializers.CharField())
        fields = FieldSerializer(many=True, required=False, help_text="QROCM : les champs à remplir.")
        timer = serializers.IntegerField(required=False, help_text="Question chronométrée : secondes.")

    @extend_schema(
        responses={
            200: OutputSerializer,
            204: OpenApiResponse(description="Le test est fini : plus de question."),
            **errors(403, 404),
        }
    )
    def get(self, request, assessment_id: int):
        challenge = services.assessment_next_challenge(assessment=_assessment(request.user, assessment_id))
        if challenge is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = {
            "id": challenge.id,
            "type": challenge.type,
            "instruction": challenge.instruction,
            "proposals": challenge.proposals,
        }
        if challenge.fields:
            body["fields"] = [{"key": f["key"], "label": f["label"]} for f in challenge.fields]
        if challenge.timer:
            body["timer"] = challenge.timer
        return Response(body)


class AnswerApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AnswerInput"

        challenge_id = serializers.CharField(max_length=120)
        value = serializers.JSONField()
        time_spent = serializers.IntegerField(required=False, default=0, min_value=0)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "AnswerResult",
                {
                    "result": serializers.ChoiceField(
                        choices=["ok", "ko", "skipped", "recorded"],
                        help_text="« recorded » en certification : le résultat n'est jamais dit.",
                    )
                },
            ),
            **errors(400, 403, 404, 409),
        },
    )
    def post(self, request, assessment_id: int):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            _assessment(request.user, assessment_id)  # someone else's test is a 404 whatever the body
            raise serializers.ValidationError(data.errors)
        value = data.validated_data["value"]
        if not isinstance(value, str | dict):
            value = str(value)
        answer = services.assessment_answer(
            assessment_id=assessment_id,
            user=request.user,
            challenge_id=data.validated_data["challenge_id"],
            value=value,
            time_spent=data.validated_data["time_spent"],
        )
        if answer.assessment.type == Assessment.Type.CERTIFICATION:  # a certification never tells the result
            return Response({"result": "recorded"}, status=status.HTTP_201_CREATED)
        result = {"ok": "ok", "ko": "ko", "aband": "skipped"}.get(answer.result, answer.result)
        return Response({"result": result}, status=status.HTTP_201_CREATED)


class MyProfileApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MyProfile"

        class CompetenceSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ProfileCompetence"

            code = serializers.CharField()
            name = serializers.CharField()
            level = serializers.IntegerField()
            pix = serializers.IntegerField()
            pix_before_next_level = serializers.IntegerField(allow_null=True, help_text="Null au niveau maximal.")

        pix_score = serializers.IntegerField()
        certifiable = serializers.BooleanField()
        max_reachable_level = serializers.IntegerField()
        competences = CompetenceSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer, **errors(403)})
    def get(self, request):
        scores, total, certifiable = assessment_selectors.profile_for_user(user=request.user)
        return Response(
            {
                "pix_score": total,
                "certifiable": certifiable,
                "max_reachable_level": settings.MAX_REACHABLE_LEVEL,
                "competences": [
                    {
                        "code": s.code,
                        "name": name,
                        "level": s.level,
                        "pix": s.pix,
                        "pix_before_next_level": s.pix_before_next_level,
                    }
                    for s, name in scores
                ],
            }
        )
