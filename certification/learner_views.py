"""The candidate's side: enter the session, wait for the invigilator, take the test; then certificates.

The test page is only shown in the browser that went through the access code after the invigilator's
authorisation: a signed cookie that lives until the browser closes. Resuming on another device or after
closing the browser needs the invigilator again, as in the room (reference §8.4).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from certification import selectors
from certification.certificates import attestation_data, attestation_filename
from certification.documents import attestation_pdf
from certification.forms import AccessCodeForm, EntryIdentityForm, VerificationForm
from certification.models import CertificationCourse
from certification.services import course as course_services
from certification.services import entry
from crcn.forms import raw_value_from_form
from crcn.models import Challenge
from pixorga.errors import THROTTLED, ApplicationError
from pixorga.ratelimit import client_address, rate_limited

ENTERED_COOKIE = "pixorga_certification"
ENTERED_SALT = "certification.entered-course"
TYPED_CODE = "certification_access_code_{session_id}"
VERIFICATIONS_PER_WINDOW = 30
VERIFICATION_WINDOW_SECONDS = 10 * 60


@login_required
@require_http_methods(["GET", "POST"])
def entry_identity(request: HttpRequest) -> HttpResponse:
    """« Je passe ma certification »: session number and identity as enrolled."""
    form = EntryIdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = entry.candidate_identify(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("certification:access_code", session_id=candidate.session_id)
    return render(request, "certification/learner/entry.html", {"form": form})


def _start(request: HttpRequest, session_id: int, code: str) -> HttpResponse:
    """Enter the test (raises NOT_AUTHORIZED_TO_START while the invigilator has not authorised)."""
    course = entry.course_start(session_id=session_id, user=request.user, access_code=code)
    request.session.pop(TYPED_CODE.format(session_id=session_id), None)
    response = _htmx_redirect(request, reverse("certification:question", kwargs={"course_id": course.pk}))
    response.set_signed_cookie(
        ENTERED_COOKIE,
        str(course.pk),
        salt=ENTERED_SALT,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )  # no max_age: gone when the browser closes
    return response


def _entered(request: HttpRequest, course: CertificationCourse) -> bool:
    return request.get_signed_cookie(ENTERED_COOKIE, default=None, salt=ENTERED_SALT) == str(course.pk)


@login_required
@require_http_methods(["GET", "POST"])
def access_code(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        candidate = entry.candidate_for_user(session_id=session_id, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("certification:entry")
    form = AccessCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["access_code"].strip().upper()
        try:
            return _start(request, session_id, code)
        except ApplicationError as error:
            if error.code == "NOT_AUTHORIZED_TO_START":
                request.session[TYPED_CODE.format(session_id=session_id)] = code
                return redirect("certification:waiting", session_id=session_id)
            form.add_error(None, error.message)
    return render(request, "certification/learner/access_code.html", {"form": form, "candidate": candidate})


@login_required
@require_GET
def waiting(request: HttpRequest, session_id: int) -> HttpResponse:
    """The waiting screen; it asks again every few seconds (htmx) and moves on once authorised."""
    code = request.session.get(TYPED_CODE.format(session_id=session_id))
    if not code:
        return redirect("certification:access_code", session_id=session_id)
    try:
        return _start(request, session_id, code)
    except ApplicationError as error:
        if error.code != "NOT_AUTHORIZED_TO_START":
            messages.error(request, error.message)
            request.session.pop(TYPED_CODE.format(session_id=session_id), None)
            target = reverse("certification:access_code", kwargs={"session_id": session_id})
            return _htmx_redirect(request, target)
        candidate = entry.candidate_for_user(session_id=session_id, user=request.user)
        template = (
            "certification/learner/partials/waiting.html" if request.htmx else "certification/learner/waiting.html"
        )
        return render(request, template, {"candidate": candidate, "session_id": session_id})


def _htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _course_of(request: HttpRequest, course_id: int) -> CertificationCourse:
    return selectors.course_get_for_candidate(user=request.user, course_id=course_id)


@login_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, course_id: int) -> HttpResponse:
    """One question per page, the timer, no correction and no checkpoint."""
    course = _course_of(request, course_id)
    if not course.assessment.is_started:
        return redirect("certification:finished", course_id=course.pk)
    if not _entered(request, course):
        messages.info(request, "Pour reprendre votre test, le surveillant doit de nouveau vous autoriser.")
        return redirect("certification:access_code", session_id=course.session_id)
    if request.method == "POST":
        challenge = Challenge.objects.filter(pk=request.POST.get("challenge_id", "")).first()
        if challenge is not None:
            try:
                course_services.course_answer(
                    assessment_id=course.assessment_id,
                    user=request.user,
                    challenge_id=challenge.pk,
                    value=raw_value_from_form(challenge, request.POST),
                    time_spent=request.POST.get("time_spent") or 0,
                )
            except ApplicationError as error:
                messages.error(request, error.message)
        return redirect("certification:question", course_id=course.pk)
    challenge = course_services.course_next_challenge(course=course)
    if challenge is None:
        response = redirect("certification:finished", course_id=course.pk)
        response.delete_cookie(ENTERED_COOKIE, samesite="Lax")
        return response
    answered, total = course_services.course_progress(course=course)
    return render(
        request,
        "certification/learner/question.html",
        {"course": course, "challenge": challenge, "number": answered + 1, "total": total},
    )


@login_required
@require_GET
def finished(request: HttpRequest, course_id: int) -> HttpResponse:
    course = _course_of(request, course_id)
    return render(request, "certification/learner/finished.html", {"course": course})


@login_required
@require_GET
def my_certificates(request: HttpRequest) -> HttpResponse:
    courses = list(selectors.certificates_list_for_user(user=request.user))
    pending = selectors.certificates_pending_for_user(user=request.user)
    return render(request, "certification/learner/my_certificates.html", {"courses": courses, "pending": pending})


@login_required
@require_GET
def certificate_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.certificate_get_for_user(user=request.user, course_id=course_id)
    return render(
        request,
        "certification/learner/certificate.html",
        {"course": course, "competences": selectors.competence_results(course)},
    )


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.certificate_get_for_user(user=request.user, course_id=course_id)
    if course.status != CertificationCourse.Status.VALIDATED:
        raise Http404
    data = attestation_data(course, verification_url=request.build_absolute_uri(reverse("certification:verify")))
    response = HttpResponse(attestation_pdf([data]), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{attestation_filename(course)}"'
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Public page: anyone (a recruiter, a school) checks a certificate by its code; no login, rate-limited."""
    form = VerificationForm(request.GET or None)
    course, searched = None, False
    if request.GET and form.is_valid():
        if rate_limited(
            f"verify:{client_address(request)}", limit=VERIFICATIONS_PER_WINDOW, seconds=VERIFICATION_WINDOW_SECONDS
        ):
            return render(
                request, "certification/public/verify.html", {"form": form, "throttled": THROTTLED}, status=429
            )
        searched = True
        course = selectors.certificate_get_by_verification_code(code=form.cleaned_data["verification_code"])
    competences = selectors.competence_results(course) if course else []
    return render(
        request,
        "certification/public/verify.html",
        {"form": form, "course": course, "searched": searched, "competences": competences},
        status=404 if searched and course is None else 200,
    )
