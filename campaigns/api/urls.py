from django.urls import path

from campaigns.api import views

urlpatterns = [
    path("campaigns/<int:campaign_id>/analysis/", views.CampaignAnalysisApi.as_view(), name="api-analysis"),
    path("campaigns/<int:campaign_id>/exports/", views.CampaignExportCreateApi.as_view(), name="api-exports"),
    path("exports/<int:export_id>/", views.CampaignExportDetailApi.as_view(), name="api-export"),
    path("exports/<int:export_id>/file/", views.CampaignExportFileApi.as_view(), name="api-export-file"),
    path(
        "organizations/<int:org_id>/target-profiles/", views.TargetProfileListApi.as_view(), name="api-target-profiles"
    ),
    path("organizations/<int:org_id>/campaigns/", views.CampaignListCreateApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:campaign_id>/", views.CampaignDetailApi.as_view(), name="api-campaign"),
    path(
        "campaigns/<int:campaign_id>/archive/",
        views.CampaignArchiveApi.as_view(archive=True),
        name="api-campaign-archive",
    ),
    path(
        "campaigns/<int:campaign_id>/unarchive/",
        views.CampaignArchiveApi.as_view(archive=False),
        name="api-campaign-unarchive",
    ),
    path("campaigns/<int:campaign_id>/participants/", views.CampaignParticipantsApi.as_view(), name="api-participants"),
    path("campaigns/by-code/<str:code>/participations/", views.ParticipationStartApi.as_view(), name="api-participate"),
    path("participations/<int:participation_id>/share/", views.ParticipationShareApi.as_view(), name="api-share"),
    path("participations/<int:participation_id>/result/", views.ParticipationResultApi.as_view(), name="api-result"),
    path("campaigns/by-code/<str:code>/", views.CampaignByCodeApi.as_view(), name="api-campaign-by-code"),
    path("campaigns/by-code/<str:code>/reconciliation/", views.ReconciliationApi.as_view(), name="api-reconciliation"),
]
