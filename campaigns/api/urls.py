from django.urls import path

from campaigns.api import views

urlpatterns = [
    path("campaigns/by-code/<str:code>/", views.CampaignByCodeApi.as_view(), name="api-campaign-by-code"),
    path("campaigns/by-code/<str:code>/reconciliation/", views.ReconciliationApi.as_view(), name="api-reconciliation"),
]
