"""Teachers' campaign pages in Orga: list, creation, the campaign page with its code, archiving."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import members_list_for_organization
from campaigns import dashboards, selectors
from campaigns.forms import CampaignCreateForm, CampaignEditForm
from campaigns.services import campaigns as campaign_services
from campaigns.services import exports
from crcn.selectors import target_profiles_available_for_organization
from pixorga.errors import ApplicationError
from pixorga.tenancy import organization_view
from students.selectors import divisions_for_organization


@organization_view()
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    status = "archived" if request.GET.get("statut") == "archivees" else "active"
    mine = request.GET.get("mes") == "1"
    campaigns = selectors.campaigns_list_for_organization(
        organization=request.organization,
        status=status,
        owner_id=request.user.pk if mine else None,
        name=request.GET.get("nom", ""),
        owner_name=request.GET.get("createur", ""),
    )
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    return render(request, "campaigns/orga/list.html", {"page": page, "status": status, "mine": mine})


@organization_view()
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    profiles = target_profiles_available_for_organization(organization=request.organization)
    form = CampaignCreateForm(request.POST or None, target_profiles=profiles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_services.campaign_create(
                organization=request.organization,
                creator=request.user,
                name=data["name"],
                type=data["type"],
                target_profile_id=data["target_profile"] if data["type"] == "ASSESSMENT" else None,
                title=data["title"],
                custom_landing_page_text=data["custom_landing_page_text"],
                external_id_label=data["external_id_label"],
                external_id_type=data["external_id_type"] or "STRING",
                multiple_sendings=data["multiple_sendings"],
            )
        except ApplicationError as error:
            form.add_error("target_profile" if "parcours" in error.message else None, error.message)
        else:
            messages.success(request, "La campagne est créée : donnez son code aux élèves.")
            return redirect("campaigns:orga_detail", org_id=request.organization.pk, campaign_id=campaign.pk)
    return render(
        request, "campaigns/orga/create.html", {"form": form, "profiles": profiles}, status=400 if form.errors else 200
    )


TABS = {"activite": "Activité", "resultats": "Résultats", "analyse": "Analyse"}


@organization_view()
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign page: its code, then the Activité / Résultats / Analyse tabs."""
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    tab = request.GET.get("onglet") if request.GET.get("onglet") in TABS else "activite"
    divisions = [d for d in request.GET.getlist("classe") if d]
    context = {
        "campaign": campaign,
        "tab": tab,
        "tabs": TABS,
        "can_manage": campaign_services.campaign_can_manage(campaign=campaign, membership=request.membership),
        "landing_url": request.build_absolute_uri("/campagnes/"),
        "divisions": divisions,
        "all_divisions": divisions_for_organization(organization=request.organization),
        "status": request.GET.get("statut", ""),
        "search": request.GET.get("recherche", ""),
        "status_labels": dashboards.STATUS_LABELS,
    }
    if tab == "analyse":
        context["analysis"] = dashboards.campaign_analysis(campaign, divisions=divisions)
    else:
        stage = request.GET.get("palier", "")
        rows = dashboards.participations_filtered(
            campaign,
            divisions=divisions,
            status=context["status"] if tab == "activite" else "SHARED",
            search=context["search"],
            stage_id=int(stage) if stage.isdigit() else None,
            certifiable=request.GET.get("certifiable", ""),
        )
        context["stage"] = stage
        context["certifiable"] = request.GET.get("certifiable", "")
        context["stages"] = campaign.target_profile.stages.order_by("threshold") if campaign.target_profile_id else []
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        context["page"] = page
        if tab == "activite":
            context["activity"] = dashboards.campaign_activity(campaign)
        else:
            context["results"] = dashboards.campaign_results(campaign, list(page))
    if request.htmx and tab == "activite":
        return render(request, "campaigns/orga/partials/activity.html", context)
    return render(request, "campaigns/orga/detail.html", context)


@organization_view()
@require_GET
def campaign_flyer(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    return render(
        request,
        "campaigns/orga/flyer.html",
        {"campaign": campaign, "landing_url": request.build_absolute_uri("/campagnes/")},
    )


@organization_view()
@require_POST
def campaign_archive(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    try:
        if request.POST.get("action") == "unarchive":
            campaign_services.campaign_unarchive(campaign=campaign, membership=request.membership)
            messages.success(request, "La campagne est de nouveau active.")
        else:
            campaign_services.campaign_archive(campaign=campaign, membership=request.membership)
            messages.success(request, "La campagne est archivée : elle n'accepte plus de participants.")
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("campaigns:orga_detail", org_id=request.organization.pk, campaign_id=campaign.pk)


@organization_view()
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    if not campaign_services.campaign_can_manage(campaign=campaign, membership=request.membership):
        raise PermissionDenied
    members = members_list_for_organization(organization=request.organization)
    initial = {
        "name": campaign.name,
        "title": campaign.title,
        "owner_id": campaign.owner_id,
        "custom_landing_page_text": campaign.custom_landing_page_text,
    }
    form = CampaignEditForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_services.campaign_update(campaign=campaign, membership=request.membership, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "La campagne est modifiée.")
            return redirect("campaigns:orga_detail", org_id=request.organization.pk, campaign_id=campaign.pk)
    return render(
        request, "campaigns/orga/edit.html", {"form": form, "campaign": campaign}, status=400 if form.errors else 200
    )


@organization_view()
@require_POST
def campaign_delete(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    try:
        campaign_services.campaign_delete(campaign=campaign, membership=request.membership)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("campaigns:orga_detail", org_id=request.organization.pk, campaign_id=campaign.pk)
    messages.success(request, f"La campagne « {campaign.name} » est supprimée.")
    return redirect("campaigns:list", org_id=request.organization.pk)


@organization_view()
@require_POST
def export_request(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    export = exports.campaign_export_request(campaign=campaign, membership=request.membership)
    return redirect("campaigns:orga_export", org_id=request.organization.pk, export_id=export.pk)


@organization_view()
@require_GET
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    export = selectors.campaign_export_get_for_member(organization=request.organization, export_id=export_id)
    context = {"export": export, "progress": exports.campaign_export_progress(export)}
    template = "campaigns/orga/partials/export_status.html" if request.htmx else "campaigns/orga/export.html"
    return render(request, template, context)


@organization_view()
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = selectors.campaign_export_get_for_member(organization=request.organization, export_id=export_id)
    if export.status != export.Status.DONE or not export.file:
        raise Http404
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename, content_type="text/csv")


@organization_view()
@require_GET
def participant_detail(request: HttpRequest, campaign_id: int, participation_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_member(organization=request.organization, campaign_id=campaign_id)
    participation = selectors.participation_get_for_campaign(campaign=campaign, participation_id=participation_id)
    detail = dashboards.participant_detail(campaign, participation)
    return render(request, "campaigns/orga/participant.html", {"campaign": campaign, "detail": detail})
