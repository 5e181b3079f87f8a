from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("evaluations/<int:assessment_id>/", views.question, name="question"),
    path("evaluations/<int:assessment_id>/checkpoint/", views.checkpoint, name="checkpoint"),
]
