"""Pix Certif: the school's certification team plans sessions, enrols, prints, finalises, publishes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification import selectors
from certification.certificates import session_results_csv, session_sheet_data
from certification.documents import attendance_sheet_pdf, convocations_pdf
from certification.forms import (
    ABORT_REASON_CHOICES,
    CandidateForm,
    CandidatesImportForm,
    IssueReportForm,
    SessionForm,
)
from certification.models import INVIGILATOR_LOCK_FAILURES, CenterMembership, CertificationCourse, IssueReport
from certification.scoring import trusted_answers_needed
from certification.services import enrolment, results
from certification.services import sessions as session_services
from pixorga.errors import ApplicationError
from pixorga.tenancy import center_view


def _session(request: HttpRequest, session_id: int):
    return selectors.session_get_for_center(center=request.center, session_id=session_id)


def _to_session(request: HttpRequest, session) -> HttpResponse:
    return redirect("certification:session_detail", center_id=request.center.pk, session_id=session.pk)


def _form_errors(form, error: ValidationError) -> None:
    for field, field_errors in error.message_dict.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_GET
def certif_home(request: HttpRequest) -> HttpResponse:
    centers = selectors.centers_list_for_user(user=request.user)
    if len(centers) == 1:
        return redirect("certification:session_list", center_id=centers[0].center.pk)
    return render(request, "certification/certif/home.html", {"centers": centers})


@center_view()
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    period = "past" if request.GET.get("periode") == "passees" else "upcoming"
    return render(
        request,
        "certification/certif/session_list.html",
        {"sessions": selectors.sessions_list_for_center(center=request.center, period=period), "period": period},
    )


@center_view()
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_services.session_create(
                center=request.center, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"La session {session.pk} est créée. Inscrivez maintenant les candidats.")
            return _to_session(request, session)
    return render(request, "certification/certif/session_form.html", {"form": form, "session": None})


@center_view()
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    initial = {f: getattr(session, f) for f in ("address", "room", "examiner", "date", "time", "description")}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session_services.session_update(session=session, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "La session est modifiée.")
            return _to_session(request, session)
    return render(request, "certification/certif/session_form.html", {"form": form, "session": session})


@center_view()
@require_POST
def session_delete(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    try:
        session_services.session_delete(session=session)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _to_session(request, session)
    messages.success(request, f"La session {session_id} est supprimée.")
    return redirect("certification:session_list", center_id=request.center.pk)


@center_view()
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    candidates = list(selectors.candidates_list_for_session(session=session))
    for candidate in candidates:
        candidate.state_code, candidate.state_label = selectors.candidate_state(candidate)
    to_decide = selectors.courses_to_decide_for_session(session=session) if session.is_finalized else []
    for course in to_decide:
        course.answers_needed = trusted_answers_needed(course.scored_challenges)
    return render(
        request,
        "certification/certif/session_detail.html",
        {
            "session": session,
            "candidates": candidates,
            "to_decide": to_decide,
            "undecided_count": sum(1 for c in to_decide if c.awaits_decision),
            "lock_failures": INVIGILATOR_LOCK_FAILURES,
            "invigilators_needed": enrolment.invigilators_needed(len(candidates)),
            "guidance": session_services.session_guidance(session.date),
            "enrolment_open": session_services.session_is_open_for_enrolment(session),
            "sco": session.center.is_sco_managing_students,
            "invigilator_url": request.build_absolute_uri(reverse("certification:invigilator_login")),
            "entry_url": request.build_absolute_uri(reverse("certification:entry")),
        },
    )


@center_view()
@require_http_methods(["GET", "POST"])
def session_enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    """SCO: choose a class, tick students (certifiable ones ticked by default), enrol."""
    session = _session(request, session_id)
    if not session.center.is_sco_managing_students:
        raise Http404
    if request.method == "POST":
        try:
            created = enrolment.candidates_enrol_learners(
                session=session, learner_ids=[i for i in request.POST.getlist("learner") if i.isdigit()]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(request.get_full_path())
        messages.success(
            request,
            f"{len(created)} candidat{'s' if len(created) > 1 else ''} inscrit{'s' if len(created) > 1 else ''}.",
        )
        return _to_session(request, session)
    from students.selectors import divisions_for_organization

    division = request.GET.get("classe", "")
    rows = selectors.enrolment_learners_for_session(session=session, division=division) if division else []
    return render(
        request,
        "certification/certif/enrol.html",
        {
            "session": session,
            "divisions": divisions_for_organization(organization=session.center.organization),
            "division": division,
            "rows": rows,
        },
    )


@center_view()
@require_http_methods(["GET", "POST"])
def candidate_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment.candidate_add(session=session, data=enrolment.CandidateInput(**form.cleaned_data))
        except ValidationError as error:
            _form_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Le candidat est inscrit.")
            return _to_session(request, session)
    return render(request, "certification/certif/candidate_form.html", {"form": form, "session": session})


@center_view()
@require_http_methods(["GET", "POST"])
def candidates_import(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = CandidatesImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = enrolment.candidates_import(session=session, upload=form.cleaned_data["file"])
        except ApplicationError as error:
            form.add_error(None, error.message)
            errors = error.extra.get("errors", [])
        else:
            messages.success(request, f"{len(created)} candidats inscrits.")
            return _to_session(request, session)
    return render(
        request, "certification/certif/candidates_import.html", {"form": form, "session": session, "errors": errors}
    )


@login_required
@require_GET
def candidates_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(enrolment.import_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-candidats.csv"'
    return response


@center_view()
@require_POST
def candidate_remove(request: HttpRequest, session_id: int, candidate_id: int) -> HttpResponse:
    session = _session(request, session_id)
    try:
        enrolment.candidate_remove(session=session, candidate_id=candidate_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Le candidat est désinscrit.")
    return _to_session(request, session)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@center_view()
@require_GET
def attendance_sheet(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    data = session_sheet_data(session, selectors.candidates_list_for_session(session=session))
    return _pdf(attendance_sheet_pdf(data), f"feuille-emargement-session-{session.pk}.pdf")


@center_view()
@require_GET
def convocations(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    data = session_sheet_data(session, selectors.candidates_list_for_session(session=session))
    entry_url = request.build_absolute_uri(reverse("certification:entry"))
    return _pdf(convocations_pdf(data, entry_url=entry_url), f"convocations-session-{session.pk}.pdf")


@center_view()
@require_http_methods(["GET", "POST"])
def session_finalize(request: HttpRequest, session_id: int) -> HttpResponse:
    """The examiner's report: comment, incidents per candidate, why each unfinished test stopped."""
    session = _session(request, session_id)
    candidates = [c for c in selectors.candidates_list_for_session(session=session) if hasattr(c, "course")]
    if request.method == "POST":
        incidents = []
        for candidate in candidates:
            category = request.POST.get(f"incident_category_{candidate.pk}", "")
            if category:
                incidents.append(
                    {
                        "candidate_id": candidate.pk,
                        "category": category,
                        "subcategory": request.POST.get(f"incident_subcategory_{candidate.pk}", ""),
                        "question_number": request.POST.get(f"incident_question_{candidate.pk}", "") or None,
                        "description": request.POST.get(f"incident_description_{candidate.pk}", ""),
                    }
                )
        try:
            results.session_finalize(
                session=session,
                examiner_global_comment=request.POST.get("examiner_global_comment", ""),
                has_incident=bool(request.POST.get("has_incident")),
                has_joining_issue=bool(request.POST.get("has_joining_issue")),
                abort_reasons={c.pk: request.POST.get(f"abort_reason_{c.pk}", "") for c in candidates},
                incidents=incidents,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "La session est finalisée. Les résultats sont calculés.")
            _report_to_decide(request, selectors.courses_to_decide_for_session(session=session))
            return _to_session(request, session)
    for candidate in candidates:
        candidate.state_code, candidate.state_label = selectors.candidate_state(candidate)
        candidate.answers_needed = trusted_answers_needed(candidate.challenges_count)
    return render(
        request,
        "certification/certif/finalize.html",
        {
            "session": session,
            "candidates": candidates,
            "abort_reasons": ABORT_REASON_CHOICES,
            "incident_form": IssueReportForm(),
            "categories": IssueReport.Category.choices,
            "subcategories": IssueReport.Subcategory.choices,
            "post": request.POST,
        },
    )


@center_view()
@require_GET
def session_results_download(request: HttpRequest, session_id: int) -> HttpResponse:
    """Once finalised, the session's results as computed (published or not yet), for the centre."""
    session = _session(request, session_id)
    if not session.is_finalized:
        raise Http404
    content, filename = session_results_csv(selectors.results_list_for_session(session=session), session_id=session.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_to_decide(request: HttpRequest, courses: list[CertificationCourse]) -> None:
    """After finalisation: what the centre must look at before publishing, said plainly."""
    for course in courses:
        if course.error_message:
            messages.error(
                request,
                f"La certification de {course.candidate} n'a pas pu être calculée. {course.error_message} "
                "Vous pouvez l'annuler sur cette page.",
            )
    not_trustable = sum(1 for c in courses if not c.error_message)
    if not_trustable:
        plural = "s" if not_trustable > 1 else ""
        messages.warning(
            request,
            f"{not_trustable} certification{plural} non fiable{plural} : décidez pour chacune avant de publier.",
        )


@center_view(required_role=CenterMembership.Role.ADMIN)
@require_POST
def certification_decide(request: HttpRequest, session_id: int, course_id: int) -> HttpResponse:
    """« Publier le résultat calculé » or « Annuler la certification », for one flagged certification."""
    session = _session(request, session_id)
    course = selectors.course_get_for_session(session=session, course_id=course_id)
    try:
        course = results.certification_decide(
            session=session, course_id=course.pk, decided_by=request.user, decision=request.POST.get("decision", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if course.decision == CertificationCourse.Decision.CANCEL:
            messages.success(request, f"La certification de {course.candidate} est annulée.")
        else:
            messages.success(request, f"Le résultat calculé de {course.candidate} sera publié tel quel.")
    return _to_session(request, session)


@center_view()
@require_POST
def invigilator_password_renew(request: HttpRequest, session_id: int) -> HttpResponse:
    """« Générer un nouveau mot de passe surveillant »: the old one stops working, a lock is lifted."""
    session = _session(request, session_id)
    try:
        session = session_services.session_invigilator_password_renew(session=session, renewed_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Nouveau mot de passe surveillant : {session.invigilator_password}. L'ancien ne fonctionne plus : "
            "donnez celui-ci aux surveillants de la session.",
        )
    return _to_session(request, session)


@center_view(required_role=CenterMembership.Role.ADMIN)
@require_POST
def session_publish(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    try:
        results.session_publish(session=session)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Les résultats sont publiés : les candidats peuvent télécharger leur attestation.")
    return _to_session(request, session)


@center_view()
@require_http_methods(["GET", "POST"])
def center_members(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.center_access.is_admin:
            raise PermissionDenied
        try:
            session_services.center_member_add(
                center=request.center, email=request.POST.get("email", ""), role=request.POST.get("role", "MEMBER")
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Le membre est ajouté au centre.")
        return redirect("certification:members", center_id=request.center.pk)
    return render(
        request,
        "certification/certif/members.html",
        {"members": selectors.center_members(center=request.center), "roles": CenterMembership.Role.choices},
    )
