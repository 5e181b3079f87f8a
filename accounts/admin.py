"""Django admin for platform operators: organisations, users, memberships, invitations, audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts.models import AuditLogEntry, Invitation, Membership, Organization, User


class OperatorUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "username", "first_name", "last_name")


class OperatorUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "role", "created_at", "disabled_at")
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = OperatorUserChangeForm
    add_form = OperatorUserCreationForm
    ordering = ("last_name", "first_name")
    list_display = ("last_name", "first_name", "email", "username", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "username", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "birthdate")}),
        ("Compte", {"fields": ("is_active", "must_change_password", "cgu_accepted_at", "last_organization")}),
        ("Droits d'opérateur", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "username", "first_name", "last_name", "password1", "password2"),
            },
        ),
    )
    raw_id_fields = ("last_organization",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "external_id", "is_managing_students", "email", "archived_at")
    list_filter = ("type", "is_managing_students")
    search_fields = ("name", "external_id", "email")
    inlines = [MembershipInline]
    readonly_fields = ("created_at",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "role", "status", "updated_at")
    list_filter = ("status", "role")
    search_fields = ("email", "organization__name", "organization__external_id")
    raw_id_fields = ("organization", "invited_by")
    readonly_fields = ("code", "created_at", "updated_at")


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "actor", "kind")
    list_filter = ("kind",)
    search_fields = ("organization__name",)
    readonly_fields = ("organization", "actor", "kind", "extra", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
