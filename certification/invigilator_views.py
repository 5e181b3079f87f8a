"""Espace surveillant: session number + password, no account; a live list of the room's candidates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification import selectors
from certification.forms import InvigilatorLoginForm, IssueReportForm
from certification.models import CertificationSession
from certification.services import entry, results
from pixorga.errors import ApplicationError
from pixorga.ratelimit import client_address

INVIGILATED = "invigilated_sessions"


def _invigilated(request: HttpRequest, session_id: int) -> CertificationSession | None:
    if session_id not in request.session.get(INVIGILATED, []):
        return None
    return selectors.session_open_for_invigilation(session_id=session_id)


@require_http_methods(["GET", "POST"])
def invigilator_login(request: HttpRequest) -> HttpResponse:
    form = InvigilatorLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = entry.invigilator_authenticate(
                session_id=form.cleaned_data["session_id"],
                password=form.cleaned_data["password"],
                client_key=client_address(request),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[INVIGILATED] = [*request.session.get(INVIGILATED, []), session.pk][-10:]
            return redirect("certification:invigilator_portal", session_id=session.pk)
    return render(request, "certification/invigilator/login.html", {"form": form})


def _rows(session: CertificationSession) -> list:
    candidates = list(selectors.candidates_list_for_session(session=session))
    for candidate in candidates:
        candidate.state_code, candidate.state_label = selectors.candidate_state(candidate)
    return candidates


@require_GET
def invigilator_portal(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _invigilated(request, session_id)
    if session is None:
        messages.info(request, "Connectez-vous à l'espace surveillant de la session.")
        return redirect("certification:invigilator_login")
    return render(
        request,
        "certification/invigilator/portal.html",
        {"session": session, "candidates": _rows(session), "report_form": IssueReportForm()},
    )


@require_GET
def invigilator_candidates(request: HttpRequest, session_id: int) -> HttpResponse:
    """The live part of the portal, refreshed every few seconds."""
    session = _invigilated(request, session_id)
    if session is None:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = "/surveillance/"
        return response
    return render(
        request,
        "certification/invigilator/partials/candidates.html",
        {"session": session, "candidates": _rows(session), "report_form": IssueReportForm()},
    )


def _act(request: HttpRequest, session_id: int, action) -> HttpResponse:
    session = _invigilated(request, session_id)
    if session is None:
        return redirect("certification:invigilator_login")
    try:
        message = action(session)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect("certification:invigilator_portal", session_id=session_id)


@require_POST
def invigilator_authorize(request: HttpRequest, session_id: int, candidate_id: int) -> HttpResponse:
    authorized = request.POST.get("authorized", "1") == "1"

    def action(session):
        candidate = entry.candidate_authorize(session=session, candidate_id=candidate_id, authorized=authorized)
        return f"{candidate} {'peut commencer' if authorized else 'n’est plus autorisé(e) à commencer'}."

    return _act(request, session_id, action)


@require_POST
def invigilator_end(request: HttpRequest, session_id: int, candidate_id: int) -> HttpResponse:
    def action(session):
        candidate = entry.course_end_by_invigilator(session=session, candidate_id=candidate_id)
        return f"Le test de {candidate} est terminé."

    return _act(request, session_id, action)


@require_POST
def invigilator_report(request: HttpRequest, session_id: int, candidate_id: int) -> HttpResponse:
    form = IssueReportForm(request.POST)

    def action(session):
        if not form.is_valid():
            raise ApplicationError("Le signalement est incomplet : choisissez une catégorie.", "INVALID_INPUT")
        results.issue_report_add(session=session, candidate_id=candidate_id, data=form.cleaned_data)
        return "Le signalement est enregistré : il apparaîtra à la finalisation."

    return _act(request, session_id, action)
