from django.urls import path

from campaigns import learner_views, orga_views

app_name = "campaigns"

urlpatterns = [
    path("orga/<int:org_id>/campagnes/", orga_views.campaign_list, name="list"),
    path("orga/<int:org_id>/campagnes/creer/", orga_views.campaign_create, name="orga_create"),
    path("orga/<int:org_id>/campagnes/<int:campaign_id>/", orga_views.campaign_detail, name="orga_detail"),
    path("orga/<int:org_id>/campagnes/<int:campaign_id>/affiche/", orga_views.campaign_flyer, name="orga_flyer"),
    path("orga/<int:org_id>/campagnes/<int:campaign_id>/archiver/", orga_views.campaign_archive, name="orga_archive"),
    path("orga/<int:org_id>/campagnes/<int:campaign_id>/modifier/", orga_views.campaign_edit, name="orga_edit"),
    path("orga/<int:org_id>/campagnes/<int:campaign_id>/supprimer/", orga_views.campaign_delete, name="orga_delete"),
    path("campagnes/<str:code>/repasser/", learner_views.retry, name="retry"),
    path("campagnes/<str:code>/remettre-a-zero/", learner_views.reset, name="reset"),
    path(
        "orga/<int:org_id>/campagnes/<int:campaign_id>/exporter/", orga_views.export_request, name="orga_export_request"
    ),
    path("orga/<int:org_id>/exports/<int:export_id>/", orga_views.export_detail, name="orga_export"),
    path(
        "orga/<int:org_id>/campagnes/<int:campaign_id>/participants/<int:participation_id>/",
        orga_views.participant_detail,
        name="orga_participant",
    ),
    path(
        "orga/<int:org_id>/exports/<int:export_id>/fichier.csv", orga_views.export_download, name="orga_export_download"
    ),
    path("campagnes/", learner_views.code_entry, name="code_entry"),
    path("campagnes/<str:code>/", learner_views.landing, name="landing"),
    path("campagnes/<str:code>/rattachement/", learner_views.reconciliation, name="reconciliation"),
    path("campagnes/<str:code>/commencer/", learner_views.start, name="start"),
    path("campagnes/<str:code>/resultats/", learner_views.result, name="result"),
    path("campagnes/<str:code>/envoyer/", learner_views.share, name="share"),
]
