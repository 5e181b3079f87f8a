from django.urls import path

from students.api import views

urlpatterns = [
    path("organizations/<int:org_id>/imports/", views.LearnerImportCreateApi.as_view(), name="api-imports"),
    path("imports/<int:import_id>/", views.LearnerImportDetailApi.as_view(), name="api-import"),
    path("organizations/<int:org_id>/learners/", views.LearnerListApi.as_view(), name="api-learners"),
]
