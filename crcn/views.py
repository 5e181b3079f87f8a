"""Referential browser, target-profile catalogue (public content) and the operators' challenge preview."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from crcn import selectors
from crcn.forms import raw_value_from_form
from crcn.models import Challenge, Competence, TargetProfile


@require_GET
def referential(request: HttpRequest) -> HttpResponse:
    return render(request, "crcn/referential.html", {"areas": selectors.areas_with_competences()})


@require_GET
def competence_detail(request: HttpRequest, code: str) -> HttpResponse:
    competence = selectors.competence_get(code=code)
    tubes = selectors.tubes_of_competence(competence=competence)
    return render(request, "crcn/competence.html", {"competence": competence, "tubes": tubes})


@require_GET
def target_profiles(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("categorie") or None
    if category not in TargetProfile.Category.values:
        category = None
    profiles = selectors.target_profiles_catalogue(category=category)
    return render(
        request,
        "crcn/target_profiles.html",
        {"profiles": profiles, "categories": TargetProfile.Category.choices, "category": category},
    )


@require_GET
def target_profile_detail(request: HttpRequest, key: str) -> HttpResponse:
    profile = selectors.target_profile_get(key=key)
    description = selectors.target_profile_description(target_profile=profile)
    return render(request, "crcn/target_profile.html", {"profile": profile, "description": description})


@staff_member_required
@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    challenges = Challenge.objects.select_related("skill__tube").order_by("skill__tube__competence", "skill", "id")
    competence = request.GET.get("competence")
    kind = request.GET.get("type")
    if competence:
        challenges = challenges.filter(skill__tube__competence_id=competence)
    if kind in Challenge.Type.values:
        challenges = challenges.filter(type=kind)
    page = Paginator(challenges, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "crcn/challenge_list.html",
        {
            "page": page,
            "competences": Competence.objects.order_by("code"),
            "types": Challenge.Type.choices,
            "competence": competence,
            "kind": kind,
        },
    )


@staff_member_required
@require_http_methods(["GET", "POST"])
def challenge_preview(request: HttpRequest, challenge_id: str) -> HttpResponse:
    """The challenge exactly as a learner sees it; submitting shows what the checker says."""
    challenge = selectors.challenge_get_for_preview(challenge_id=challenge_id)
    context = {"challenge": challenge, "variants": Challenge.objects.filter(variant_group=challenge.variant_group)}
    if request.method == "POST":
        context["result"] = challenge.check_answer(raw_value_from_form(challenge, request.POST))
        context["submitted"] = request.POST
    return render(request, "crcn/challenge_preview.html", context)
