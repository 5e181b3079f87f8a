from django.urls import path

from crcn import views

app_name = "crcn"

urlpatterns = [
    path("referentiel/", views.referential, name="referential"),
    path("referentiel/<str:code>/", views.competence_detail, name="competence"),
    path("parcours/", views.target_profiles, name="target_profiles"),
    path("parcours/<slug:key>/", views.target_profile_detail, name="target_profile"),
    path("contenu/epreuves/", views.challenge_list, name="challenge_list"),
    path("contenu/epreuves/<str:challenge_id>/", views.challenge_preview, name="challenge_preview"),
]
