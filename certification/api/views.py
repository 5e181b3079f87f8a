"""Certification API (API.md §Certification): the same services as the Pix Certif pages.

Members reach a session through its centre (404 otherwise). The invigilator uses a token scoped to one
session, obtained with the session's password (``Authorization: Bearer <token>``). The public
verification is throttled. The livret scolaire reads results with a client-credentials token.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certification import selectors
from certification.authentication import InvigilatorTokenAuthentication, LivretTokenAuthentication
from certification.certificates import verification_payload
from certification.models import Candidate, CertificationCourse, CertificationSession
from certification.services import enrolment, entry, livret, results
from certification.services import sessions as session_services
from pixorga.errors import ApplicationError, errors
from pixorga.ratelimit import client_address
from pixorga.tenancy import CertificationCenterApi
from pixorga.throttling import ScopedRateThrottle

CERTIFICATE_NOT_FOUND = "Aucune certification ne correspond à ce code de vérification."
ADMINS_PUBLISH = "Seuls les administrateurs du centre publient les résultats."
INVIGILATOR_ACCESS_REQUIRED = (
    "Jeton de surveillant manquant ou expiré : reconnectez-vous avec le mot de passe de la session."
)


def _session_payload(session: CertificationSession) -> dict:
    return {
        "id": session.pk,
        "address": session.address,
        "room": session.room,
        "examiner": session.examiner,
        "date": session.date.isoformat(),
        "time": session.time.strftime("%H:%M"),
        "description": session.description,
        "access_code": session.access_code,
        "invigilator_password": session.invigilator_password,
        "status": session.status,
    }


def _candidate_payload(candidate: Candidate, certifiable: bool | None = None) -> dict:
    body = {"id": candidate.pk, "first_name": candidate.first_name, "last_name": candidate.last_name}
    if candidate.organization_learner_id:
        body["certifiable"] = certifiable
    return body


# The shapes above, as the API schema shows them (the payload functions build the bodies).


class SessionOutput(serializers.Serializer):
    class Meta:
        ref_name = "CertificationSession"

    id = serializers.IntegerField()
    address = serializers.CharField()
    room = serializers.CharField()
    examiner = serializers.CharField()
    date = serializers.DateField()
    time = serializers.CharField(help_text="HH:MM, heure locale.")
    description = serializers.CharField()
    access_code = serializers.CharField()
    invigilator_password = serializers.CharField()
    status = serializers.CharField()


class CandidateOutput(serializers.Serializer):
    class Meta:
        ref_name = "Candidate"

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    certifiable = serializers.BooleanField(
        required=False, allow_null=True, help_text="Candidat inscrit depuis les élèves de l'établissement."
    )


class SessionInput(serializers.Serializer):
    address = serializers.CharField(max_length=255)
    room = serializers.CharField(max_length=255)
    examiner = serializers.CharField(max_length=255)
    date = serializers.DateField()
    time = serializers.TimeField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CenterSessionsApi(CertificationCenterApi):
    @extend_schema(
        parameters=[OpenApiParameter("period", str, enum=["upcoming", "past"], description="À venir par défaut.")],
        responses={200: SessionOutput(many=True), **errors(403, 404)},
    )
    def get(self, request, center_id: int):
        period = "past" if request.query_params.get("period") == "past" else "upcoming"
        sessions = selectors.sessions_list_for_center(center=self.center, period=period)
        return Response([_session_payload(s) for s in sessions])

    @extend_schema(request=SessionInput, responses={201: SessionOutput, **errors(400, 403, 404)})
    def post(self, request, center_id: int):
        data = SessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = session_services.session_create(center=self.center, created_by=request.user, **data.validated_data)
        return Response(_session_payload(session), status=status.HTTP_201_CREATED)


class _SessionMemberApi(APIView):
    """``/api/sessions/{id}/…`` for members of the session's centre."""

    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.session, self.center_access = selectors.session_get_for_user(
            user=request.user, session_id=kwargs["session_id"]
        )


class SessionApi(_SessionMemberApi):
    class OutputSerializer(SessionOutput):
        class Meta:
            ref_name = "CertificationSessionDetail"

        class CandidateStateSerializer(CandidateOutput):
            class Meta:
                ref_name = "SessionCandidate"

            state = serializers.CharField()

        candidates = CandidateStateSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer, **errors(403, 404)})
    def get(self, request, session_id: int):
        body = _session_payload(self.session)
        body["candidates"] = [
            {**_candidate_payload(c), "state": selectors.candidate_state(c)[0]}
            for c in selectors.candidates_list_for_session(session=self.session)
        ]
        return Response(body)


class SessionEnrolmentsApi(_SessionMemberApi):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EnrolmentsInput"

        learner_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=2000)

    @extend_schema(
        request=InputSerializer, responses={201: CandidateOutput(many=True), **errors(400, 403, 404, 409, 422)}
    )
    def post(self, request, session_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = enrolment.candidates_enrol_learners(
            session=self.session, learner_ids=data.validated_data["learner_ids"]
        )
        certifiable = selectors.certifiability_of_learners(
            organization=self.session.center.organization, learner_ids=[c.organization_learner_id for c in created]
        )
        return Response(
            [_candidate_payload(c, certifiable.get(c.organization_learner_id)) for c in created],
            status=status.HTTP_201_CREATED,
        )


class SessionCandidatesApi(_SessionMemberApi):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CandidateInput"

        first_name = serializers.CharField(max_length=255)
        last_name = serializers.CharField(max_length=255)
        birthdate = serializers.DateField()
        sex = serializers.CharField(max_length=1)
        birth_insee_code = serializers.CharField(required=False, allow_blank=True, max_length=5, default="")
        birth_postal_code = serializers.CharField(required=False, allow_blank=True, max_length=5, default="")
        birth_city = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
        birth_country = serializers.CharField(required=False, allow_blank=True, max_length=255, default="FRANCE")
        email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
        result_recipient_email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
        external_id = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
        extra_time_percentage = serializers.IntegerField(required=False, min_value=0, max_value=99, default=0)

    @extend_schema(request=InputSerializer, responses={201: CandidateOutput, **errors(400, 403, 404, 409, 422)})
    def post(self, request, session_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = enrolment.candidate_add(session=self.session, data=enrolment.CandidateInput(**data.validated_data))
        return Response(_candidate_payload(candidate), status=status.HTTP_201_CREATED)


class SessionFinalizationApi(_SessionMemberApi):
    class IncidentSerializer(serializers.Serializer):
        candidate_id = serializers.IntegerField()
        category = serializers.CharField(max_length=40)
        subcategory = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        question_number = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
        description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "FinalizationInput"

        examiner_global_comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
        has_incident = serializers.BooleanField(required=False, default=False)
        has_joining_issue = serializers.BooleanField(required=False, default=False)
        incidents = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=500)
        abort_reasons = serializers.DictField(child=serializers.CharField(max_length=9), required=False, default=dict)

    class OutputSerializer(SessionOutput):
        class Meta:
            ref_name = "FinalizedSession"

        class ToDecideSerializer(serializers.Serializer):
            class Meta:
                ref_name = "CertificationToDecide"

            certification_course_id = serializers.IntegerField()
            candidate_id = serializers.IntegerField()
            reason = serializers.ChoiceField(choices=["NOT_TRUSTABLE", "COMPUTATION_ERROR"])
            answers = serializers.IntegerField()
            challenges = serializers.IntegerField()
            computed_status = serializers.CharField()
            error = serializers.CharField()

        to_decide = ToDecideSerializer(many=True, help_text="Les certifications sur lesquelles le centre décide.")

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, **errors(400, 403, 404, 409)})
    def post(self, request, session_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incidents = []
        for raw in data.validated_data["incidents"]:
            incident = self.IncidentSerializer(data=raw)
            incident.is_valid(raise_exception=True)
            incidents.append(incident.validated_data)
        try:
            abort_reasons = {int(k): v for k, v in data.validated_data["abort_reasons"].items()}
        except ValueError:
            raise ApplicationError(
                "Les raisons d'abandon sont indexées par identifiant de candidat.", "INVALID_INPUT"
            ) from None
        session = results.session_finalize(
            session=self.session,
            examiner_global_comment=data.validated_data["examiner_global_comment"],
            has_incident=data.validated_data["has_incident"],
            has_joining_issue=data.validated_data["has_joining_issue"],
            abort_reasons=abort_reasons,
            incidents=incidents,
        )
        to_decide = selectors.courses_to_decide_for_session(session=session)
        return Response({**_session_payload(session), "to_decide": [_to_decide_payload(c) for c in to_decide]})


def _to_decide_payload(course: CertificationCourse) -> dict:
    """A certification the centre must decide on before publishing (not trustable, or in error)."""
    return {
        "certification_course_id": course.pk,
        "candidate_id": course.candidate_id,
        "reason": "COMPUTATION_ERROR" if course.error_message else "NOT_TRUSTABLE",
        "answers": course.scored_answers,
        "challenges": course.scored_challenges,
        "computed_status": course.status,
        "error": course.error_message,
    }


class SessionPublicationApi(_SessionMemberApi):
    @extend_schema(request=None, responses={200: SessionOutput, **errors(403, 404, 409)})
    def post(self, request, session_id: int):
        if not self.center_access.is_admin:
            raise ApplicationError(ADMINS_PUBLISH, "FORBIDDEN", status_code=403)
        return Response(_session_payload(results.session_publish(session=self.session)))


class SessionCertificationDecisionApi(_SessionMemberApi):
    """The centre's decision on a not-trustable (or uncomputable) certification: publish it, or cancel it."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CertificationDecisionInput"

        decision = serializers.ChoiceField(choices=CertificationCourse.Decision.choices)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "CertificationDecision",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "decision": serializers.CharField(),
                },
            ),
            **errors(400, 403, 404, 409),
        },
    )
    def post(self, request, session_id: int, course_id: int):
        if not self.center_access.is_admin:
            raise ApplicationError(ADMINS_PUBLISH, "FORBIDDEN", status_code=403)
        selectors.course_get_for_session(session=self.session, course_id=course_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = results.certification_decide(
            session=self.session, course_id=course_id, decided_by=request.user, decision=data.validated_data["decision"]
        )
        return Response({"id": course.pk, "status": course.status, "decision": course.decision})


class SessionInvigilatorPasswordApi(_SessionMemberApi):
    """A new invigilator password (lifts the lock after too many wrong ones)."""

    @extend_schema(request=None, responses={200: SessionOutput, **errors(403, 404, 409)})
    def post(self, request, session_id: int):
        session = session_services.session_invigilator_password_renew(session=self.session, renewed_by=request.user)
        return Response(_session_payload(session))


# --- the candidate -----------------------------------------------------------------------------------


class CertificationEntryApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CertificationEntryInput"

        session_id = serializers.IntegerField(min_value=1)
        first_name = serializers.CharField(max_length=255)
        last_name = serializers.CharField(max_length=255)
        birthdate = serializers.DateField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("CertificationEntry", {"candidate_id": serializers.IntegerField()}),
            **errors(400, 403, 404, 409, 429),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = entry.candidate_identify(user=request.user, **data.validated_data)
        return Response({"candidate_id": candidate.pk})


class CertificationStartApi(APIView):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CertificationStartInput"

        session_id = serializers.IntegerField(min_value=1)
        access_code = serializers.CharField(max_length=12)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "CertificationStarted",
                {"certification_course_id": serializers.IntegerField(), "assessment_id": serializers.IntegerField()},
            ),
            **errors(400, 403, 404, 409, 429),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = entry.course_start(user=request.user, **data.validated_data)
        return Response(
            {"certification_course_id": course.pk, "assessment_id": course.assessment_id},
            status=status.HTTP_201_CREATED,
        )


# --- the invigilator ---------------------------------------------------------------------------------


class _WithoutAccountApi(APIView):
    """No Django user: the invigilator, the public and the livret scolaire prove who they are otherwise."""

    authentication_classes = []
    permission_classes = [AllowAny]


class _ThrottledWithoutAccountApi(_WithoutAccountApi):
    throttle_classes = [ScopedRateThrottle]


class InvigilationLoginApi(_WithoutAccountApi):
    """Not throttled per address (one address is a whole school): ``invigilator_authenticate`` brakes."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "InvigilationLoginInput"

        password = serializers.CharField(max_length=12)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("InvigilatorToken", {"token": serializers.CharField()}),
            **errors(400, 403, 404, 429),
        },
    )
    def post(self, request, session_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = entry.invigilator_authenticate(
            session_id=session_id,
            password=data.validated_data["password"],
            client_key=client_address(request),
        )
        return Response({"token": entry.invigilator_token_for(session)})


class _InvigilatorApi(_WithoutAccountApi):
    authentication_classes = [InvigilatorTokenAuthentication]
    permission_classes = []  # the token is checked below, against the session of the URL

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.session = entry.invigilator_session_from_token(session_id=kwargs["session_id"], token=request.auth)
        if self.session is None:
            raise ApplicationError(INVIGILATOR_ACCESS_REQUIRED, "INVIGILATOR_ACCESS_REQUIRED", status_code=401)


class InvigilationCandidatesApi(_InvigilatorApi):
    class OutputSerializer(CandidateOutput):
        class Meta:
            ref_name = "InvigilatedCandidate"

        birthdate = serializers.DateField()
        extra_time_percentage = serializers.IntegerField()
        authorized_to_start = serializers.BooleanField()
        state = serializers.CharField()
        state_label = serializers.CharField()
        answers_count = serializers.IntegerField()
        challenges_count = serializers.IntegerField()

    @extend_schema(responses={200: OutputSerializer(many=True), **errors(401, 404)})
    def get(self, request, session_id: int):
        rows = []
        for c in selectors.candidates_list_for_session(session=self.session):
            state, label = selectors.candidate_state(c)
            rows.append(
                {
                    **_candidate_payload(c),
                    "birthdate": c.birthdate.isoformat(),
                    "extra_time_percentage": c.extra_time_percentage,
                    "authorized_to_start": c.authorized_to_start,
                    "state": state,
                    "state_label": label,
                    "answers_count": c.answers_count,
                    "challenges_count": c.challenges_count,
                }
            )
        return Response(rows)


class InvigilationAuthorizeApi(_InvigilatorApi):
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "InvigilationAuthorizeInput"

        authorized = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "InvigilationAuthorization",
                {"id": serializers.IntegerField(), "authorized_to_start": serializers.BooleanField()},
            ),
            **errors(400, 401, 404, 409),
        },
    )
    def post(self, request, session_id: int, candidate_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = entry.candidate_authorize(
            session=self.session, candidate_id=candidate_id, authorized=data.validated_data["authorized"]
        )
        return Response({"id": candidate.pk, "authorized_to_start": candidate.authorized_to_start})


class InvigilationEndApi(_InvigilatorApi):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "InvigilationEnd", {"id": serializers.IntegerField(), "state": serializers.CharField()}
            ),
            **errors(401, 404, 409),
        },
    )
    def post(self, request, session_id: int, candidate_id: int):
        candidate = entry.course_end_by_invigilator(session=self.session, candidate_id=candidate_id)
        return Response({"id": candidate.pk, "state": selectors.candidate_state(candidate)[0]})


# --- public and livret scolaire ----------------------------------------------------------------------


class CertificateVerifyApi(_ThrottledWithoutAccountApi):
    throttle_scope = "verification"

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CertificateVerification"

        class CompetenceSerializer(serializers.Serializer):
            class Meta:
                ref_name = "CertificateCompetence"

            code = serializers.CharField()
            name = serializers.CharField()
            level = serializers.IntegerField()

        first_name = serializers.CharField()
        last_name = serializers.CharField()
        birthdate = serializers.DateField()
        certification_center = serializers.CharField()
        certification_date = serializers.DateField()
        delivered_at = serializers.DateField()
        valid_until = serializers.DateField()
        pix_score = serializers.IntegerField()
        competences = CompetenceSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer, **errors(404, 429)})
    def get(self, request, verification_code: str):
        course = selectors.certificate_get_by_verification_code(code=verification_code)
        if course is None:
            raise ApplicationError(CERTIFICATE_NOT_FOUND, "CERTIFICATE_NOT_FOUND", status_code=404)
        return Response(verification_payload(course))


class LivretTokenApi(_ThrottledWithoutAccountApi):
    throttle_scope = "livret"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LivretTokenInput"

        grant_type = serializers.CharField(max_length=40)
        client_id = serializers.CharField(max_length=64)
        client_secret = serializers.CharField(max_length=256)
        scope = serializers.CharField(max_length=100)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "LivretToken",
                {
                    "access_token": serializers.CharField(),
                    "token_type": serializers.ChoiceField(choices=["Bearer"]),
                    "expires_in": serializers.IntegerField(help_text="Secondes."),
                },
            ),
            **errors(400, 401, 403, 429),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = livret.livret_token_issue(**data.validated_data)
        return Response({"access_token": token, "token_type": "Bearer", "expires_in": livret.TOKEN_LIFETIME_SECONDS})


def _livret_entry(course: CertificationCourse) -> dict:
    candidate, learner = course.candidate, course.candidate.organization_learner
    published = course.is_released
    validated = published and course.status == CertificationCourse.Status.VALIDATED
    status_value = "pending" if not published else ("validated" if validated else "rejected")
    return {
        "id": course.pk,
        "first_name": learner.first_name if learner else candidate.first_name,
        "middle_name": learner.middle_name if learner else "",
        "third_name": learner.third_name if learner else "",
        "last_name": learner.last_name if learner else candidate.last_name,
        "birthdate": candidate.birthdate.isoformat(),
        "national_student_id": learner.national_student_id if learner else None,
        "date": course.created_at.isoformat(),
        "delivered_at": course.published_at.isoformat() if published else None,
        "certification_center": course.session.center.name,
        "verification_code": course.verification_code,
        "pix_score": course.pix_score if validated else 0,
        "status": status_value,
        "competence_results": [
            {"competence_id": m.competence_code, "level": m.level}
            for m in sorted(course.competence_marks.all(), key=lambda m: m.competence_code)
            if m.level >= 0
        ]
        if validated
        else [],
    }


class LivretCertificationsApi(_WithoutAccountApi):
    authentication_classes = [LivretTokenAuthentication]
    permission_classes = []  # the token is checked below: it must be a livret client's, still valid

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LivretCertifications"

        class CertificationSerializer(serializers.Serializer):
            class Meta:
                ref_name = "LivretCertification"

            class CompetenceSerializer(serializers.Serializer):
                class Meta:
                    ref_name = "LivretCompetenceResult"

                competence_id = serializers.CharField()
                level = serializers.IntegerField()

            id = serializers.IntegerField()
            first_name = serializers.CharField()
            middle_name = serializers.CharField()
            third_name = serializers.CharField()
            last_name = serializers.CharField()
            birthdate = serializers.DateField()
            national_student_id = serializers.CharField(allow_null=True)
            date = serializers.DateTimeField()
            delivered_at = serializers.DateTimeField(allow_null=True)
            certification_center = serializers.CharField()
            verification_code = serializers.CharField(allow_null=True)
            pix_score = serializers.IntegerField()
            status = serializers.ChoiceField(choices=["pending", "validated", "rejected"])
            competence_results = CompetenceSerializer(many=True)

        uai = serializers.CharField()
        certifications = CertificationSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer, **errors(401, 404)})
    def get(self, request, uai: str):
        if livret.livret_token_client(request.auth) is None:
            raise ApplicationError("Jeton d'accès manquant, invalide ou expiré.", "INVALID_TOKEN", status_code=401)
        courses = selectors.livret_certifications_for_uai(uai=uai)
        if courses is None:
            raise Http404
        return Response({"uai": uai.upper(), "certifications": [_livret_entry(c) for c in courses]})
