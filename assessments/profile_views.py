"""Learner pages: "Mon profil" (16 competences), training alone, tutorials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors, training
from assessments.models import SavedTutorial
from crcn.models import Competence, Tutorial
from pixorga.errors import ApplicationError


def _competence(code: str) -> Competence:
    try:
        return Competence.objects.get(code=code)
    except Competence.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def my_profile(request: HttpRequest) -> HttpResponse:
    profile = selectors.training_profile_for_user(user=request.user)
    saved = set(SavedTutorial.objects.filter(user=request.user).values_list("tutorial_id", flat=True))
    tutorials = [(t, t.pk in saved) for t in training.tutorials_recommended_for(user=request.user)]
    return render(
        request,
        "assessments/profile.html",
        {
            "cards": profile.competences,
            "total": profile.total,
            "certifiable": profile.certifiable,
            "tutorials": tutorials,
            "saved": saved,
        },
    )


@login_required
@require_POST
def competence_start(request: HttpRequest, code: str) -> HttpResponse:
    assessment = training.competence_evaluation_start(user=request.user, competence=_competence(code))
    return redirect("assessments:question", assessment_id=assessment.pk)


@login_required
@require_POST
def competence_improve(request: HttpRequest, code: str) -> HttpResponse:
    """ "Retenter": a new evaluation of the competence, or the message saying why not yet."""
    try:
        assessment = training.competence_evaluation_improve(user=request.user, competence=_competence(code))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("assessments:profile")
    return redirect("assessments:question", assessment_id=assessment.pk)


@login_required
@require_POST
def competence_reset(request: HttpRequest, code: str) -> HttpResponse:
    competence = _competence(code)
    try:
        training.competence_reset(user=request.user, competence=competence)
        messages.success(request, f"La compétence {competence.code} est remise à zéro : vous pouvez la repasser.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("assessments:profile")


@login_required
@require_POST
def tutorial_save(request: HttpRequest, tutorial_id: str) -> HttpResponse:
    tutorial = Tutorial.objects.filter(pk=tutorial_id).first()
    if tutorial is None:
        raise Http404
    saved = training.tutorial_toggle_saved(user=request.user, tutorial=tutorial)
    if request.htmx:
        return render(request, "assessments/partials/tutorial_actions.html", {"t": tutorial, "is_saved": saved})
    return redirect("assessments:profile")


@login_required
@require_POST
def tutorial_useful(request: HttpRequest, tutorial_id: str) -> HttpResponse:
    tutorial = Tutorial.objects.filter(pk=tutorial_id).first()
    if tutorial is None:
        raise Http404
    training.tutorial_mark_useful(user=request.user, tutorial=tutorial)
    is_saved = SavedTutorial.objects.filter(user=request.user, tutorial=tutorial).exists()
    if request.htmx:
        return render(
            request, "assessments/partials/tutorial_actions.html", {"t": tutorial, "is_saved": is_saved, "useful": True}
        )
    messages.success(request, "Merci pour votre avis !")
    return redirect("assessments:profile")
