from django.urls import path

from assessments.api import views

urlpatterns = [
    path(
        "assessments/<int:assessment_id>/next-challenge/", views.NextChallengeApi.as_view(), name="api-next-challenge"
    ),
    path("assessments/<int:assessment_id>/answers/", views.AnswerApi.as_view(), name="api-answers"),
    path("me/profile/", views.MyProfileApi.as_view(), name="api-my-profile"),
]
