"""Django admin of the content. Content comes from files (`load_content`): edits here are overwritten by the
next release, so most fields are read-only; target-profile sharing with organisations is the exception."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from crcn.models import (
    Area,
    Challenge,
    Competence,
    ContentRelease,
    LevelDescriptor,
    Skill,
    Stage,
    TargetProfile,
    TargetProfileTube,
    Tube,
    Tutorial,
)


class ReadOnlyContentAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class LevelDescriptorInline(admin.TabularInline):
    model = LevelDescriptor
    extra = 0
    can_delete = False
    readonly_fields = ("level", "label", "text")


@admin.register(Area)
class AreaAdmin(ReadOnlyContentAdmin):
    list_display = ("code", "name", "color")


@admin.register(Competence)
class CompetenceAdmin(ReadOnlyContentAdmin):
    list_display = ("code", "name", "area")
    inlines = [LevelDescriptorInline]


@admin.register(Tube)
class TubeAdmin(ReadOnlyContentAdmin):
    list_display = ("name", "title", "competence")
    list_filter = ("competence",)
    search_fields = ("name", "title")


@admin.register(Skill)
class SkillAdmin(ReadOnlyContentAdmin):
    list_display = ("name", "level", "pix_value", "tube", "status")
    list_filter = ("status", "level", "tube__competence")
    search_fields = ("name",)


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyContentAdmin):
    list_display = ("id", "skill", "type", "status", "preview")
    list_filter = ("type", "status", "skill__tube__competence")
    search_fields = ("id", "instruction")

    @admin.display(description="Aperçu")
    def preview(self, obj):
        return format_html('<a href="{}">Voir comme un élève</a>', reverse("crcn:challenge_preview", args=[obj.id]))


@admin.register(Tutorial)
class TutorialAdmin(ReadOnlyContentAdmin):
    list_display = ("title", "source", "format", "duration_minutes", "tube")
    search_fields = ("title", "url")


class TargetProfileTubeInline(admin.TabularInline):
    model = TargetProfileTube
    extra = 0
    can_delete = False
    readonly_fields = ("tube", "level")


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    can_delete = False
    readonly_fields = ("threshold", "title", "message", "prescriber_title", "prescriber_description")


@admin.register(TargetProfile)
class TargetProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "is_public", "outdated")
    list_filter = ("category", "is_public", "outdated")
    search_fields = ("name", "key")
    readonly_fields = ("key", "name", "category", "description")
    fields = (
        "key",
        "name",
        "category",
        "description",
        "is_public",
        "are_knowledge_elements_resettable",
        "outdated",
        "organizations",
    )
    filter_horizontal = ("organizations",)
    inlines = [TargetProfileTubeInline, StageInline]

    def has_add_permission(self, request):
        return False


@admin.register(ContentRelease)
class ContentReleaseAdmin(ReadOnlyContentAdmin):
    list_display = ("release_id", "loaded_at")
