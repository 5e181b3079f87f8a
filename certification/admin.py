"""Operators create centres (for higher education and other organisations), add members, follow sessions."""

from django.contrib import admin

from certification.models import (
    Candidate,
    CenterMembership,
    CertificationCenter,
    CertificationCourse,
    CertificationSession,
    LivretScolaireClient,
)


class CenterMembershipInline(admin.TabularInline):
    model = CenterMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(CertificationCenter)
class CertificationCenterAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "external_id", "organization", "archived_at")
    list_filter = ("type",)
    search_fields = ("name", "external_id")
    raw_id_fields = ("organization",)
    inlines = [CenterMembershipInline]


@admin.register(CertificationSession)
class CertificationSessionAdmin(admin.ModelAdmin):
    list_display = ("pk", "center", "date", "time", "room", "finalized_at", "published_at")
    list_filter = ("center__type",)
    search_fields = ("pk", "center__name", "center__external_id")
    raw_id_fields = ("center", "created_by", "assigned_certification_officer")
    readonly_fields = (
        "access_code",
        "invigilator_password",
        "invigilator_failed_attempts",
        "finalized_at",
        "published_at",
    )


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "birthdate", "session", "user")
    search_fields = ("last_name", "first_name", "session__pk")
    raw_id_fields = ("session", "user", "organization_learner")


@admin.register(CertificationCourse)
class CertificationCourseAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "verification_code",
        "session",
        "status",
        "pix_score",
        "is_trustable",
        "decision",
        "published_at",
    )
    list_filter = ("status", "is_trustable", "decision")
    search_fields = ("verification_code", "candidate__last_name")
    raw_id_fields = ("candidate", "session", "user", "assessment")
    readonly_fields = (
        "verification_code",
        "positioning",
        "pix_score",
        "reproducibility_rate",
        "status",
        "is_trustable",
        "scored_answers",
        "scored_challenges",
        "error_message",
        "decision",
        "decided_by",
        "decided_at",
        "scored_at",
    )


@admin.register(LivretScolaireClient)
class LivretScolaireClientAdmin(admin.ModelAdmin):
    """Clients are created with `manage.py create_livret_client` (the secret is shown once)."""

    list_display = ("name", "client_id", "is_active", "created_at")
    readonly_fields = ("client_id", "secret_hash")
