"""Pages of the students area of an organisation: list, detail, imports, accounts and class sheets."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Membership
from pixorga.errors import ApplicationError
from pixorga.tenancy import organization_view
from students import selectors
from students.forms import ImportForm, LearnerFilterForm, LearnerSelectionForm
from students.importers.csv_formats import SIECLE_CSV_COLUMNS, SUP_CSV_COLUMNS, template_csv
from students.services import accounts as account_services
from students.services import imports as import_services
from students.sheets import credentials_csv, credentials_pdf

PAGE_SIZE = 50


@organization_view()
@require_GET
def learner_list(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    divisions = selectors.divisions_for_organization(organization=organization)
    form = LearnerFilterForm(request.GET or None, divisions=divisions)
    filters = form.cleaned_data if form.is_valid() else {}
    learners = selectors.learners_list_for_organization(
        organization=organization,
        search=filters.get("search", ""),
        divisions=filters.get("divisions") or None,
        connection=filters.get("connection", ""),
        include_disabled=filters.get("include_disabled", False),
        certificability=filters.get("certificability", ""),
    )
    page = Paginator(learners, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_import": request.membership.is_admin and bool(import_services.import_formats_for(organization)),
        "manages_accounts": organization.is_sco_managing_students,
    }
    template = "students/partials/learner_table.html" if request.htmx else "students/learner_list.html"
    return render(request, template, context)


@organization_view()
@require_GET
def learner_detail(request: HttpRequest, learner_id: int) -> HttpResponse:
    learner = selectors.learner_get_for_organization(organization=request.organization, learner_id=learner_id)
    participations = selectors.participations_list_for_learner(organization=request.organization, learner=learner)
    return render(request, "students/learner_detail.html", {"learner": learner, "participations": participations})


def _account_action(request: HttpRequest, service, nothing_done: str) -> HttpResponse:
    """Run an accounts service on the selected students, then show the credentials it produced."""
    form = LearnerSelectionForm(request.POST)
    ids = form.cleaned_data["learner_ids"] if form.is_valid() else []
    back = redirect("students:list", org_id=request.organization.pk)
    try:
        batch = service(organization=request.organization, actor=request.user, learner_ids=ids)
    except ApplicationError as error:
        messages.error(request, error.message)
        return back
    if batch.skipped:
        messages.warning(request, f"{len(batch.skipped)} élève(s) ignoré(s) : " + ", ".join(batch.skipped[:20]))
    if not batch.credentials:
        messages.error(request, f"Aucun {nothing_done} : les élèves sélectionnés ne sont pas concernés.")
        return back
    return redirect("students:credentials", org_id=request.organization.pk, token=batch.token)


@organization_view()
@require_POST
def learner_accounts_create(request: HttpRequest) -> HttpResponse:
    return _account_action(request, account_services.learner_accounts_create, "compte créé")


@organization_view()
@require_POST
def learner_passwords_reset(request: HttpRequest) -> HttpResponse:
    return _account_action(request, account_services.learner_passwords_reset, "mot de passe réinitialisé")


@organization_view()
@require_GET
def credentials(request: HttpRequest, token: str, file_format: str = "") -> HttpResponse:
    try:
        rows = account_services.credential_batch_get(organization=request.organization, actor=request.user, token=token)
    except ApplicationError as error:
        return render(request, "students/credentials_expired.html", {"message": error.message}, status=404)
    stamp = f"identifiants-{request.organization.external_id or request.organization.pk}"
    if file_format == "csv":
        response = HttpResponse(credentials_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
        return response
    if file_format == "pdf":
        pdf = credentials_pdf(
            organization_name=request.organization.name,
            login_url=settings.SITE_URL + reverse("accounts:login"),
            credentials=rows,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stamp}.pdf"'
        return response
    return render(request, "students/credentials.html", {"credentials": rows, "token": token})


@organization_view(required_role=Membership.Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_create(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    formats = import_services.import_formats_for(organization)
    if not formats:
        return render(request, "students/import_unavailable.html", status=403)
    form = ImportForm(request.POST or None, request.FILES or None, formats=formats)
    if request.method == "POST" and form.is_valid():
        try:
            learner_import = import_services.learner_import_create(
                organization=organization,
                created_by=request.user,
                uploaded_file=form.cleaned_data["file"],
                file_format=form.cleaned_data["format"],
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            return redirect("students:import_detail", org_id=organization.pk, import_id=learner_import.pk)
    recent = selectors.learner_imports_recent_for_organization(organization=organization)
    return render(
        request,
        "students/import_create.html",
        {"form": form, "recent": recent, "formats": formats},
        status=400 if form.errors else 200,
    )


@organization_view(required_role=Membership.Role.ADMIN)
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    learner_import = selectors.learner_import_get_for_organization(
        organization=request.organization, import_id=import_id
    )
    context = {"import": learner_import, "progress": import_services.learner_import_progress(learner_import)}
    template = "students/partials/import_status.html" if request.htmx else "students/import_detail.html"
    return render(request, template, context)


@organization_view(required_role=Membership.Role.ADMIN)
@require_POST
def import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    learner_import = selectors.learner_import_get_for_organization(
        organization=request.organization, import_id=import_id
    )
    try:
        import_services.learner_import_confirm(learner_import=learner_import, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("students:import_detail", org_id=request.organization.pk, import_id=learner_import.pk)


@organization_view(required_role=Membership.Role.ADMIN)
@require_GET
def import_template(request: HttpRequest, file_format: str) -> HttpResponse:
    columns = {"siecle-csv": SIECLE_CSV_COLUMNS, "sup-csv": SUP_CSV_COLUMNS}.get(file_format)
    if columns is None:
        return render(request, "404.html", status=404)
    response = HttpResponse(template_csv(columns).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="modele-{file_format}.csv"'
    return response
