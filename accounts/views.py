"""Pages of the accounts area: login, sign-up, organisation home, team, invitations, access by UAI.

Each view parses input, calls one service or selector, and renders. Organisation pages go through
``pixorga.tenancy.organization_view`` and read only from ``request.organization``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm as NewPasswordForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import (
    AccessRequestForm,
    InvitationForm,
    LoginForm,
    NewAccountFields,
    RoleForm,
    SignupForm,
)
from accounts.models import Membership
from pixorga.errors import THROTTLED, ApplicationError, error_body
from pixorga.tenancy import organization_view

AUTH_BACKEND = "accounts.backends.EmailOrUsernameBackend"


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes lockout: the API's JSON error shape under /api/, a French page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("TOO_MANY_REQUESTS", THROTTLED), status=429)
    return render(request, "accounts/locked_out.html", status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands after login: their last organisation, any organisation, or their own account."""
    memberships = list(selectors.memberships_list_for_user(user=request.user))
    if not memberships:
        return redirect("assessments:profile")
    preferred = next((m for m in memberships if m.organization_id == request.user.last_organization_id), memberships[0])
    return redirect("accounts:organization_home", org_id=preferred.organization_id)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                birthdate=form.cleaned_data["birthdate"],
                password=form.cleaned_data["password"],
                cgu_accepted=form.cleaned_data["cgu"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            auth_login(request, user, backend=AUTH_BACKEND)
            if user.username:
                messages.success(
                    request, f"Votre compte est créé. Votre identifiant de connexion est : {user.username}. Notez-le !"
                )
            else:
                messages.success(request, "Votre compte est créé.")
            target = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                return redirect(target)
            return redirect("accounts:home")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Choose one's own password (required after a temporary one given by a teacher)."""
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_password_change(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "Votre mot de passe est enregistré.")
        target = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_list_for_user(user=request.user)
    return render(request, "accounts/my_account.html", {"memberships": memberships})


@login_required
@require_GET
def organization_switch(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_list_for_user(user=request.user)
    return render(request, "accounts/organization_switch.html", {"memberships": memberships})


@organization_view()
@require_GET
def organization_home(request: HttpRequest) -> HttpResponse:
    services.user_set_last_organization(user=request.user, organization=request.organization)
    summary = selectors.organization_team_summary(organization=request.organization)
    return render(request, "accounts/organization_home.html", {"summary": summary})


@organization_view()
@require_GET
def documentation(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/documentation.html")


@organization_view()
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    members = selectors.members_list_for_organization(organization=request.organization)
    context = {"members": members, "role_choices": Membership.Role.choices}
    if request.membership.is_admin:
        context["invitations"] = selectors.invitations_list_pending_for_organization(organization=request.organization)
    return render(request, "accounts/team.html", context)


@organization_view(required_role=Membership.Role.ADMIN)
@require_http_methods(["GET", "POST"])
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations = services.invitations_send(
                organization=request.organization,
                invited_by=request.user,
                emails=form.cleaned_data["emails"],
                role=form.cleaned_data["role"],
            )
        except ApplicationError as error:
            form.add_error("emails", error.message)
        else:
            count = len(invitations)
            messages.success(
                request, f"{count} invitation{'s' if count > 1 else ''} envoyée{'s' if count > 1 else ''}."
            )
            return redirect("accounts:team", org_id=request.organization.pk)
    return render(request, "accounts/invitation_create.html", {"form": form}, status=400 if form.errors else 200)


def _redirect_to_team(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("accounts:team", kwargs={"org_id": request.organization.pk}))


@organization_view(required_role=Membership.Role.ADMIN)
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_organization(
        organization=request.organization, invitation_id=invitation_id
    )
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
        messages.success(request, f"L'invitation a été renvoyée à {invitation.email}.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return _redirect_to_team(request)


@organization_view(required_role=Membership.Role.ADMIN)
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_organization(
        organization=request.organization, invitation_id=invitation_id
    )
    try:
        services.invitation_cancel(invitation=invitation, actor=request.user)
        messages.success(request, f"L'invitation de {invitation.email} a été annulée.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return _redirect_to_team(request)


@organization_view(required_role=Membership.Role.ADMIN)
@require_POST
def member_change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get_for_organization(
        organization=request.organization, membership_id=membership_id
    )
    form = RoleForm(request.POST)
    level = "success"
    if not form.is_valid():
        level, text = "error", "Choisissez un rôle."
    else:
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
            text = f"{membership.user.full_name} est maintenant {membership.get_role_display().lower()}."
        except ApplicationError as error:
            membership.refresh_from_db()
            level, text = "error", error.message
    if request.htmx:
        # Only this row is swapped, with the outcome next to the select (htmx does not swap 4xx bodies).
        context = {
            "m": membership,
            "role_choices": Membership.Role.choices,
            "row_message": text,
            "row_message_level": level,
        }
        return render(request, "accounts/partials/member_row.html", context)
    getattr(messages, level)(request, text)
    return _redirect_to_team(request)


@organization_view(required_role=Membership.Role.ADMIN)
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get_for_organization(
        organization=request.organization, membership_id=membership_id
    )
    try:
        services.membership_disable(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.full_name} ne fait plus partie de l'équipe.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return _redirect_to_team(request)


@organization_view()
@require_POST
def team_leave(request: HttpRequest) -> HttpResponse:
    try:
        services.membership_disable(membership=request.membership, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _redirect_to_team(request)
    messages.success(request, f"Vous avez quitté {request.organization.name}.")
    return redirect("accounts:home")


@require_http_methods(["GET", "POST"])
def access_request(request: HttpRequest) -> HttpResponse:
    """ "Activez votre espace": no login needed; the invitation goes to the school's official address."""
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.organization_access_request(
                uai=form.cleaned_data["uai"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ApplicationError as error:
            form.add_error("uai", error.message)
        else:
            return render(
                request,
                "accounts/access_request_sent.html",
                {"organization": invitation.organization, "masked_email": services.masked_email(invitation.email)},
            )
    return render(request, "accounts/access_request.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """The page an invitation e-mail links to: join with the current account or create one."""
    code = request.GET.get("code") or request.POST.get("code") or ""
    invitation = selectors.invitation_get_by_code(invitation_id=invitation_id, code=code)
    signup_form = NewAccountFields(request.POST if request.POST.get("action") == "signup" else None)
    context = {"invitation": invitation, "code": invitation.code, "signup_form": signup_form}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "join" and request.user.is_authenticated:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            elif request.POST.get("action") == "signup" and not request.user.is_authenticated:
                if not signup_form.is_valid():
                    return render(request, "accounts/invitation.html", context, status=400)
                user, membership = services.invitation_accept_with_new_account(
                    invitation=invitation,
                    first_name=signup_form.cleaned_data["first_name"],
                    last_name=signup_form.cleaned_data["last_name"],
                    password=signup_form.cleaned_data["password"],
                    cgu_accepted=signup_form.cleaned_data["cgu"],
                )
                auth_login(request, user, backend=AUTH_BACKEND)
            else:
                return render(request, "accounts/invitation.html", context, status=400)
        except ApplicationError as error:
            context["error"] = error.message
            return render(request, "accounts/invitation.html", context, status=error.status_code)
        messages.success(request, f"Bienvenue dans l'espace de {membership.organization.name} !")
        return redirect("accounts:organization_home", org_id=membership.organization_id)
    return render(request, "accounts/invitation.html", context)
