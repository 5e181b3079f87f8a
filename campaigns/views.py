"""Learner side of campaigns: "J'ai un code", the landing page, and linking to one's school record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from campaigns import selectors
from pixorga.errors import ApplicationError
from students.forms import CampaignCodeForm, ReconciliationForm
from students.services.reconciliation import learner_reconcile_attempt

UNKNOWN_CODE = "Ce code ne correspond à aucune campagne. Vérifiez-le auprès de votre enseignant."


@require_http_methods(["GET", "POST"])
def code_entry(request: HttpRequest) -> HttpResponse:
    form = CampaignCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = selectors.campaign_get_by_code(code=form.cleaned_data["code"])
        except Http404:
            form.add_error("code", UNKNOWN_CODE)
        else:
            return redirect("campaigns:landing", code=campaign.code)
    return render(request, "campaigns/code_entry.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def landing(request: HttpRequest, code: str) -> HttpResponse:
    campaign = selectors.campaign_get_by_code(code=code)
    learner = selectors.learner_of_user_for_campaign(campaign=campaign, user=request.user)
    needs_reconciliation = campaign.is_restricted and request.user.is_authenticated and learner is None
    return render(
        request,
        "campaigns/landing.html",
        {"campaign": campaign, "learner": learner, "needs_reconciliation": needs_reconciliation},
    )


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
