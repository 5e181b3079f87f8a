from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campagnes/", views.code_entry, name="code_entry"),
    path("campagnes/<str:code>/", views.landing, name="landing"),
    path("campagnes/<str:code>/rattachement/", views.reconciliation, name="reconciliation"),
]
