from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-token"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("health/", views.HealthApi.as_view(), name="api-health"),
    path("users/", views.UserCreateApi.as_view(), name="api-users"),
    path("organizations/<int:org_id>/", views.OrganizationDetailApi.as_view(), name="api-organization"),
    path(
        "organizations/<int:org_id>/members/", views.OrganizationMembersApi.as_view(), name="api-organization-members"
    ),
]
