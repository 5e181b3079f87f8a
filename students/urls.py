from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("orga/<int:org_id>/eleves/", views.learner_list, name="list"),
    path("orga/<int:org_id>/eleves/<int:learner_id>/", views.learner_detail, name="detail"),
    path("orga/<int:org_id>/eleves/comptes/", views.learner_accounts_create, name="accounts_create"),
    path("orga/<int:org_id>/eleves/mots-de-passe/", views.learner_passwords_reset, name="passwords_reset"),
    path("orga/<int:org_id>/eleves/identifiants/<str:token>/", views.credentials, name="credentials"),
    path(
        "orga/<int:org_id>/eleves/identifiants/<str:token>/fichier.<str:file_format>",
        views.credentials,
        name="credentials_file",
    ),
    path("orga/<int:org_id>/eleves/import/", views.import_create, name="import"),
    path("orga/<int:org_id>/eleves/import/<int:import_id>/", views.import_detail, name="import_detail"),
    path("orga/<int:org_id>/eleves/import/<int:import_id>/confirmer/", views.import_confirm, name="import_confirm"),
    path("orga/<int:org_id>/eleves/modele-<str:file_format>.csv", views.import_template, name="import_template"),
]
