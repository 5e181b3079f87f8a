"""Learner side of campaigns: "J'ai un code", the landing page, and linking to one's school record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import selectors
from campaigns.forms import CampaignCodeForm, ReconciliationForm
from campaigns.results import participation_profile, participation_result
from campaigns.services.participations import (
    LEARNER_DISABLED,
    participation_reset,
    participation_reset_delay,
    participation_retry,
    participation_retry_delay,
    participation_share,
    participation_start,
)
from pixorga.errors import ApplicationError
from pixorga.ratelimit import client_address, limit_reached, rate_limited
from students.services.reconciliation import learner_reconcile_attempt

UNKNOWN_CODE = "Ce code ne correspond à aucune campagne. Vérifiez-le auprès de votre enseignant."
TOO_MANY_UNKNOWN_CODES = (
    "Trop de codes inconnus ont été saisis depuis cette connexion. Attendez quelques minutes, puis vérifiez le "
    "code auprès de votre enseignant."
)
# Only unknown codes count: a whole class behind the school's one address enters the right code at once,
# while guessing codes means thousands of misses.
UNKNOWN_CODES_PER_WINDOW = 100
UNKNOWN_CODE_WINDOW_SECONDS = 10 * 60


def _unknown_codes_key(request: HttpRequest) -> str:
    return f"campaign-code:{client_address(request)}"


def _campaign_by_code_counting_misses(request: HttpRequest, code: str):
    """The campaign of ``code``; an unknown code counts against the address (Http404 all the same)."""
    try:
        return selectors.campaign_get_by_code(code=code)
    except Http404:
        rate_limited(_unknown_codes_key(request), limit=UNKNOWN_CODES_PER_WINDOW, seconds=UNKNOWN_CODE_WINDOW_SECONDS)
        raise


@require_http_methods(["GET", "POST"])
def code_entry(request: HttpRequest) -> HttpResponse:
    form = CampaignCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if limit_reached(_unknown_codes_key(request), limit=UNKNOWN_CODES_PER_WINDOW):
            form.add_error("code", TOO_MANY_UNKNOWN_CODES)
            return render(request, "campaigns/code_entry.html", {"form": form}, status=429)
        try:
            campaign = _campaign_by_code_counting_misses(request, form.cleaned_data["code"])
        except Http404:
            form.add_error("code", UNKNOWN_CODE)
        else:
            return redirect("campaigns:landing", code=campaign.code)
    return render(request, "campaigns/code_entry.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def landing(request: HttpRequest, code: str) -> HttpResponse:
    if limit_reached(_unknown_codes_key(request), limit=UNKNOWN_CODES_PER_WINDOW):
        return render(request, "429.html", {"message": TOO_MANY_UNKNOWN_CODES}, status=429)
    campaign = _campaign_by_code_counting_misses(request, code)
    learner = selectors.learner_of_user_for_campaign(campaign=campaign, user=request.user)
    needs_reconciliation = campaign.is_restricted and request.user.is_authenticated and learner is None
    participation = selectors.participation_current_for_user(campaign=campaign, user=request.user)
    has_left = learner is None and selectors.learner_has_left(campaign=campaign, user=request.user)
    return render(
        request,
        "campaigns/landing.html",
        {
            "campaign": campaign,
            "learner": learner,
            "needs_reconciliation": needs_reconciliation,
            "participation": participation,
            "has_left": LEARNER_DISABLED if has_left else "",
        },
    )


def _continue(participation) -> HttpResponse:
    assessment = participation.assessments.order_by("-created_at").first()
    if participation.status == "STARTED" and assessment is not None:
        return redirect("assessments:question", assessment_id=assessment.pk)
    return redirect("campaigns:result", code=participation.campaign.code)


@login_required
@require_POST
def start(request: HttpRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get_by_code(code=code)
    existing = selectors.participation_current_for_user(campaign=campaign, user=request.user)
    if existing is not None:
        return _continue(existing)
    try:
        participation = participation_start(
            campaign=campaign,
            user=request.user,
            participant_external_id=request.POST.get("participant_external_id", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        if error.code == "NOT_RECONCILED":
            return redirect("campaigns:reconciliation", code=campaign.code)
        return redirect("campaigns:landing", code=campaign.code)
    return _continue(participation)


@login_required
@require_GET
def result(request: HttpRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get_by_code(code=code)
    participation = selectors.participation_current_for_user(campaign=campaign, user=request.user)
    if participation is None:
        return redirect("campaigns:landing", code=campaign.code)
    if participation.status == "STARTED":
        return _continue(participation)
    context = {
        "campaign": campaign,
        "participation": participation,
        "retry_in_days": participation_retry_delay(participation),
        "reset_in_days": participation_reset_delay(participation),
    }
    if campaign.type == campaign.Type.ASSESSMENT:
        context["result"] = participation_result(participation=participation)
    else:
        scores, total, certifiable = participation_profile(participation=participation)
        context.update(profile_scores=scores, profile_total=total, profile_certifiable=certifiable)
    return render(request, "campaigns/result.html", context)


@login_required
@require_POST
def share(request: HttpRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get_by_code(code=code)
    participation = selectors.participation_current_for_user(campaign=campaign, user=request.user)
    if participation is None:
        raise Http404
    try:
        participation_share(participation=participation, user=request.user)
        messages.success(request, f"Merci ! Vos résultats ont été envoyés à {campaign.organization.name}.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("campaigns:result", code=campaign.code)


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest, code: str) -> HttpResponse:
    """Once per school: the student says who they are on the school's list (name + birthdate)."""
    campaign = selectors.campaign_get_by_code(code=code)
    if not campaign.is_restricted or selectors.learner_of_user_for_campaign(campaign=campaign, user=request.user):
        return redirect("campaigns:landing", code=campaign.code)
    form = ReconciliationForm(
        request.POST or None, initial={"first_name": request.user.first_name, "last_name": request.user.last_name}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            learner = learner_reconcile_attempt(campaign=campaign, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(
                request,
                f"Vous êtes rattaché(e) à {learner.first_name} {learner.last_name} ({learner.division}) "
                f"de {campaign.organization.name}.",
            )
            return redirect("campaigns:landing", code=campaign.code)
    elif form.errors:
        status = 400
    return render(request, "campaigns/reconciliation.html", {"campaign": campaign, "form": form}, status=status)


def _send_again(request: HttpRequest, code: str, start_again, done: str = "") -> HttpResponse:
    """Run ``start_again`` (retry or reset) on the learner's current participation, then go on with the test."""
    campaign = selectors.campaign_get_by_code(code=code)
    participation = selectors.participation_current_for_user(campaign=campaign, user=request.user)
    if participation is None:
        raise Http404
    try:
        participation = start_again(participation=participation, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("campaigns:result", code=campaign.code)
    if done:
        messages.success(request, done)
    return _continue(participation)


@login_required
@require_POST
def retry(request: HttpRequest, code: str) -> HttpResponse:
    """ "Repasser mon parcours" / "Envoyer à nouveau mon profil" when the campaign allows several sendings."""
    return _send_again(request, code, participation_retry)


@login_required
@require_POST
def reset(request: HttpRequest, code: str) -> HttpResponse:
    """« Remettre à zéro et repasser », on a parcours that allows it, 4 days after sharing."""
    return _send_again(
        request, code, participation_reset, "Le parcours est remis à zéro : toutes ses questions vous seront posées."
    )
