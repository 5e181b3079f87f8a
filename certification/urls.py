from django.urls import path

from certification import certif_views, invigilator_views, learner_views, orga_views

app_name = "certification"

S = "certif/<int:center_id>/sessions/<int:session_id>/"

urlpatterns = [
    # Pix Orga: the school's results
    path("orga/<int:org_id>/certification/", orga_views.certification_home, name="home"),
    path("orga/<int:org_id>/certification/resultats.csv", orga_views.division_results_download, name="division_csv"),
    path("orga/<int:org_id>/certification/activer/", orga_views.center_activate, name="center_activate"),
    # Pix Certif: the centre
    path("certif/", certif_views.certif_home, name="certif_home"),
    path("certif/modele-candidats.csv", certif_views.candidates_import_template, name="import_template"),
    path("certif/<int:center_id>/sessions/", certif_views.session_list, name="session_list"),
    path("certif/<int:center_id>/sessions/creer/", certif_views.session_create, name="session_create"),
    path("certif/<int:center_id>/membres/", certif_views.center_members, name="members"),
    path(S, certif_views.session_detail, name="session_detail"),
    path(S + "modifier/", certif_views.session_edit, name="session_edit"),
    path(S + "supprimer/", certif_views.session_delete, name="session_delete"),
    path(S + "inscrire/", certif_views.session_enrol, name="session_enrol"),
    path(S + "candidats/ajouter/", certif_views.candidate_add, name="candidate_add"),
    path(S + "candidats/importer/", certif_views.candidates_import, name="candidates_import"),
    path(S + "candidats/<int:candidate_id>/desinscrire/", certif_views.candidate_remove, name="candidate_remove"),
    path(S + "feuille-emargement.pdf", certif_views.attendance_sheet, name="attendance_sheet"),
    path(S + "convocations.pdf", certif_views.convocations, name="convocations"),
    path(S + "finaliser/", certif_views.session_finalize, name="session_finalize"),
    path(S + "publier/", certif_views.session_publish, name="session_publish"),
    path(
        S + "certifications/<int:course_id>/decision/", certif_views.certification_decide, name="certification_decide"
    ),
    path(S + "mot-de-passe-surveillant/", certif_views.invigilator_password_renew, name="invigilator_password_renew"),
    path(S + "resultats.csv", certif_views.session_results_download, name="session_results_csv"),
    # The candidate
    path("certification/", learner_views.entry_identity, name="entry"),
    path("certification/<int:session_id>/code/", learner_views.access_code, name="access_code"),
    path("certification/<int:session_id>/attente/", learner_views.waiting, name="waiting"),
    path("certification/test/<int:course_id>/", learner_views.question, name="question"),
    path("certification/test/<int:course_id>/fin/", learner_views.finished, name="finished"),
    path("mes-certifications/", learner_views.my_certificates, name="my_certificates"),
    path("mes-certifications/<int:course_id>/", learner_views.certificate_detail, name="certificate"),
    path("mes-certifications/<int:course_id>/attestation.pdf", learner_views.certificate_pdf, name="certificate_pdf"),
    path("verifier-une-certification/", learner_views.verify, name="verify"),
    # The invigilator
    path("surveillance/", invigilator_views.invigilator_login, name="invigilator_login"),
    path("surveillance/<int:session_id>/", invigilator_views.invigilator_portal, name="invigilator_portal"),
    path(
        "surveillance/<int:session_id>/candidats/",
        invigilator_views.invigilator_candidates,
        name="invigilator_candidates",
    ),
    path(
        "surveillance/<int:session_id>/candidats/<int:candidate_id>/autoriser/",
        invigilator_views.invigilator_authorize,
        name="invigilator_authorize",
    ),
    path(
        "surveillance/<int:session_id>/candidats/<int:candidate_id>/terminer/",
        invigilator_views.invigilator_end,
        name="invigilator_end",
    ),
    path(
        "surveillance/<int:session_id>/candidats/<int:candidate_id>/signaler/",
        invigilator_views.invigilator_report,
        name="invigilator_report",
    ),
]
