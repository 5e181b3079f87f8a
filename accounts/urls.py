from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import ResetRequestForm

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("mot-de-passe/changer/", views.password_change, name="password_change"),
    path("mon-compte/", views.my_account, name="my_account"),
    path(
        "mot-de-passe-oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            form_class=ResetRequestForm,
            email_template_name="accounts/emails/password_reset.txt",
            html_email_template_name="accounts/emails/password_reset.html",
            subject_template_name="accounts/emails/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe-oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("invitations/<int:invitation_id>/", views.invitation, name="invitation"),
    path("orga/", views.home, name="home"),
    path("orga/choisir/", views.organization_switch, name="organization_switch"),
    path("orga/activer/", views.access_request, name="access_request"),
    path("orga/<int:org_id>/", views.organization_home, name="organization_home"),
    path("orga/<int:org_id>/documentation/", views.documentation, name="documentation"),
    path("orga/<int:org_id>/equipe/", views.team, name="team"),
    path("orga/<int:org_id>/equipe/quitter/", views.team_leave, name="team_leave"),
    path("orga/<int:org_id>/equipe/inviter/", views.invitation_create, name="invitation_create"),
    path(
        "orga/<int:org_id>/equipe/invitations/<int:invitation_id>/renvoyer/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "orga/<int:org_id>/equipe/invitations/<int:invitation_id>/annuler/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("orga/<int:org_id>/equipe/membres/<int:membership_id>/role/", views.member_change_role, name="member_role"),
    path("orga/<int:org_id>/equipe/membres/<int:membership_id>/retirer/", views.member_remove, name="member_remove"),
]
