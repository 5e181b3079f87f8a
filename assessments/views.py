"""The test itself, in the browser: one question per page, a checkpoint every 5 answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from assessments import services
from assessments.models import Assessment
from crcn.forms import raw_value_from_form
from pixorga.errors import ApplicationError

CHECKPOINT_EVERY = 5


def _assessment_of(request: HttpRequest, assessment_id: int) -> Assessment:
    """Only the learner who takes a test can see it: anyone else gets a 404."""
    try:
        assessment = Assessment.objects.select_related("participation__campaign").get(
            pk=assessment_id, user=request.user
        )
    except Assessment.DoesNotExist:
        raise Http404 from None
    if assessment.type == Assessment.Type.CERTIFICATION:  # its own pages: no checkpoint, no correction
        raise Http404
    return assessment


def _after_the_test(assessment: Assessment) -> HttpResponse:
    if assessment.participation_id:
        return redirect("campaigns:result", code=assessment.participation.campaign.code)
    return redirect("assessments:profile")


@login_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment_of(request, assessment_id)
    if request.method == "POST":
        challenge_id = request.POST.get("challenge_id", "")
        from crcn.models import Challenge

        challenge = Challenge.objects.filter(pk=challenge_id).first()
        if challenge is None:
            messages.error(request, services.CHALLENGE_NOT_ASKED)
            return redirect("assessments:question", assessment_id=assessment.pk)
        try:
            services.assessment_answer(
                assessment_id=assessment.pk,
                user=request.user,
                challenge_id=challenge_id,
                value=raw_value_from_form(challenge, request.POST),
                time_spent=request.POST.get("time_spent") or 0,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("assessments:question", assessment_id=assessment.pk)
        count = assessment.answers.count()
        if count % CHECKPOINT_EVERY == 0 or services.assessment_next_challenge(assessment=assessment) is None:
            return redirect("assessments:checkpoint", assessment_id=assessment.pk)
        return redirect("assessments:question", assessment_id=assessment.pk)
    challenge = services.assessment_next_challenge(assessment=assessment)
    if challenge is None:
        return _after_the_test(assessment)
    number = assessment.answers.count() + 1
    return render(
        request,
        "assessments/question.html",
        {
            "assessment": assessment,
            "challenge": challenge,
            "number": number,
            "in_block": (number - 1) % CHECKPOINT_EVERY + 1,
        },
    )


@login_required
@require_GET
def checkpoint(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The last answers (up to 5) with what was expected; at the end of the test, the last ones."""
    assessment = _assessment_of(request, assessment_id)
    answers = list(assessment.answers.select_related("challenge").order_by("created_at", "id"))
    size = len(answers) % CHECKPOINT_EVERY or CHECKPOINT_EVERY
    finished = not assessment.is_started or services.assessment_next_challenge(assessment=assessment) is None
    return render(
        request,
        "assessments/checkpoint.html",
        {"assessment": assessment, "answers": answers[-size:] if answers else [], "finished": finished},
    )
