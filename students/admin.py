from django.contrib import admin

from students.models import LearnerImport, OrganizationLearner


@admin.register(OrganizationLearner)
class OrganizationLearnerAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "division", "national_student_id", "organization", "is_disabled")
    list_filter = ("is_disabled",)
    search_fields = ("search_text", "organization__name", "organization__external_id")
    raw_id_fields = ("organization", "user")


@admin.register(LearnerImport)
class LearnerImportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "format", "filename", "status")
    list_filter = ("status", "format")
    search_fields = ("organization__name", "organization__external_id", "filename")
    readonly_fields = [f.name for f in LearnerImport._meta.fields]

    def has_add_permission(self, request):
        return False
