from django.contrib import admin

from students.models import OrganizationLearner


@admin.register(OrganizationLearner)
class OrganizationLearnerAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "division", "national_student_id", "organization", "is_disabled")
    list_filter = ("is_disabled",)
    search_fields = (
        "last_name",
        "first_name",
        "national_student_id",
        "organization__name",
        "organization__external_id",
    )
    raw_id_fields = ("organization", "user")
