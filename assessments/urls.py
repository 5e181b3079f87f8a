from django.urls import path

from assessments import profile_views, views

app_name = "assessments"

urlpatterns = [
    path("mon-profil/", profile_views.my_profile, name="profile"),
    path("mon-profil/<str:code>/commencer/", profile_views.competence_start, name="competence_start"),
    path("mon-profil/<str:code>/retenter/", profile_views.competence_improve, name="competence_improve"),
    path("mon-profil/<str:code>/remettre-a-zero/", profile_views.competence_reset, name="competence_reset"),
    path("tutoriels/<str:tutorial_id>/enregistrer/", profile_views.tutorial_save, name="tutorial_save"),
    path("tutoriels/<str:tutorial_id>/utile/", profile_views.tutorial_useful, name="tutorial_useful"),
    path("evaluations/<int:assessment_id>/", views.question, name="question"),
    path("evaluations/<int:assessment_id>/checkpoint/", views.checkpoint, name="checkpoint"),
]
