"""Pix Orga side of certification: the school's published results, class by class (reference §8.9)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Membership, Organization
from certification import selectors
from certification.certificates import STATUS_LABELS, division_results_csv
from certification.services.sessions import center_create_for_organization
from pixorga.tenancy import organization_view


@organization_view()
@require_GET
def certification_home(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    division = request.GET.get("classe", "")
    courses = (
        list(selectors.results_list_for_division(organization=organization, division=division)) if division else []
    )
    for course in courses:
        course.status_label = STATUS_LABELS.get(course.status, course.status)
    accesses = selectors.centers_list_for_user(user=request.user)
    center = selectors.center_for_organization(organization=organization)
    return render(
        request,
        "certification/orga/home.html",
        {
            "divisions": selectors.divisions_with_results_for_organization(organization=organization),
            "division": division,
            "courses": courses,
            "center": center,
            "can_open_certif": center is not None and any(a.center.pk == center.pk for a in accesses),
            "upcoming_sessions": selectors.sessions_list_for_center(center=center)[:10] if center else [],
        },
    )


@organization_view()
@require_GET
def division_results_download(request: HttpRequest) -> HttpResponse:
    division = request.GET.get("classe", "")
    courses = selectors.results_list_for_division(organization=request.organization, division=division)
    content, filename = division_results_csv(courses, division=division)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@organization_view(required_role=Membership.Role.ADMIN)
@require_POST
def center_activate(request: HttpRequest) -> HttpResponse:
    """A school's head opens the Pix Certif space of the school (same name and UAI)."""
    if request.organization.type != Organization.Type.SCO:
        messages.error(request, "Seuls les établissements scolaires ouvrent eux-mêmes leur centre de certification.")
        return redirect("certification:home", org_id=request.organization.pk)
    center = center_create_for_organization(organization=request.organization)
    messages.success(request, "L’espace Pix Certif est ouvert : créez vos sessions de certification.")
    return redirect("certification:session_list", center_id=center.pk)
