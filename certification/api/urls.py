from django.urls import path

from certification.api import views

urlpatterns = [
    path("certification-centers/<int:center_id>/sessions/", views.CenterSessionsApi.as_view()),
    path("sessions/<int:session_id>/", views.SessionApi.as_view()),
    path("sessions/<int:session_id>/enrolments/", views.SessionEnrolmentsApi.as_view()),
    path("sessions/<int:session_id>/candidates/", views.SessionCandidatesApi.as_view()),
    path("sessions/<int:session_id>/finalization/", views.SessionFinalizationApi.as_view()),
    path("sessions/<int:session_id>/publication/", views.SessionPublicationApi.as_view()),
    path(
        "sessions/<int:session_id>/certifications/<int:course_id>/decision/",
        views.SessionCertificationDecisionApi.as_view(),
    ),
    path("sessions/<int:session_id>/invigilator-password/", views.SessionInvigilatorPasswordApi.as_view()),
    path("sessions/<int:session_id>/invigilation/", views.InvigilationLoginApi.as_view()),
    path("sessions/<int:session_id>/invigilation/candidates/", views.InvigilationCandidatesApi.as_view()),
    path(
        "sessions/<int:session_id>/invigilation/candidates/<int:candidate_id>/authorize/",
        views.InvigilationAuthorizeApi.as_view(),
    ),
    path(
        "sessions/<int:session_id>/invigilation/candidates/<int:candidate_id>/end/", views.InvigilationEndApi.as_view()
    ),
    path("certification-entry/", views.CertificationEntryApi.as_view()),
    path("certification-entry/start/", views.CertificationStartApi.as_view()),
    path("certificates/verify/<str:verification_code>/", views.CertificateVerifyApi.as_view()),
    path("livret-scolaire/token/", views.LivretTokenApi.as_view()),
    path("organizations/<str:uai>/certifications/", views.LivretCertificationsApi.as_view()),
]
