"""Reads on the referential, the content and the target profiles (public content: no tenant data)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404

from crcn.models import Area, Challenge, Competence, Skill, TargetProfile, TargetProfileTube, Tube


def areas_with_competences() -> QuerySet[Area]:
    return Area.objects.prefetch_related(Prefetch("competences", queryset=Competence.objects.order_by("code")))


def competence_get(*, code: str) -> Competence:
    try:
        return Competence.objects.select_related("area").prefetch_related("level_descriptors").get(code=code)
    except Competence.DoesNotExist:
        raise Http404 from None


def tubes_of_competence(*, competence: Competence) -> QuerySet[Tube]:
    active = Q(skills__status=Skill.Status.ACTIVE)
    return competence.tubes.annotate(
        min_level=Min("skills__level", filter=active),
        max_level=Max("skills__level", filter=active),
        skills_count=Count("skills", filter=active),
    ).order_by("name")


def target_profiles_available_for_organization(*, organization) -> QuerySet[TargetProfile]:
    """Public profiles plus those shared with the organisation; never outdated ones."""
    return (
        TargetProfile.objects.filter(Q(is_public=True) | Q(organizations=organization), outdated=False)
        .distinct()
        .order_by("category", "name")
    )


def target_profiles_catalogue(*, category: str | None = None) -> QuerySet[TargetProfile]:
    profiles = TargetProfile.objects.filter(outdated=False, is_public=True).annotate(tubes_count=Count("capped_tubes"))
    if category:
        profiles = profiles.filter(category=category)
    return profiles.order_by("category", "name")


@dataclass
class ProfileTubeLine:
    competence: Competence
    tube: Tube
    level: int
    skills_count: int


def target_profile_get(*, key: str) -> TargetProfile:
    try:
        return TargetProfile.objects.prefetch_related("stages").get(key=key, outdated=False)
    except TargetProfile.DoesNotExist:
        raise Http404 from None


def target_profile_description(*, target_profile: TargetProfile) -> list[tuple[Competence, list[ProfileTubeLine]]]:
    """The "Descriptif du parcours": per competence, each tube's title, description and level cap."""
    capped = (
        TargetProfileTube.objects.filter(target_profile=target_profile)
        .select_related("tube__competence__area")
        .order_by("tube__competence__code", "tube__title")
    )
    tubes = [c.tube_id for c in capped]
    counts = Counter(
        Skill.objects.filter(tube_id__in=tubes, status=Skill.Status.ACTIVE).values_list("tube_id", "level")
    )
    per_tube: dict[str, int] = defaultdict(int)
    caps = {c.tube_id: c.level for c in capped}
    for (tube_id, level), count in counts.items():
        if level <= caps[tube_id]:
            per_tube[tube_id] += count
    grouped: dict[str, list[ProfileTubeLine]] = defaultdict(list)
    competences: dict[str, Competence] = {}
    for c in capped:
        competence = c.tube.competence
        competences[competence.code] = competence
        grouped[competence.code].append(ProfileTubeLine(competence, c.tube, c.level, per_tube[c.tube_id]))
    return [(competences[code], grouped[code]) for code in sorted(grouped)]


def challenge_get_for_preview(*, challenge_id: str) -> Challenge:
    try:
        return Challenge.objects.select_related("skill__tube__competence").get(id=challenge_id)
    except Challenge.DoesNotExist:
        raise Http404 from None


def content_statistics() -> list[dict]:
    """Per competence: tubes, active skills per level 1-8, challenges, variants, tutorials."""
    rows = []
    for competence in Competence.objects.order_by("code"):
        skills = Skill.objects.filter(tube__competence=competence, status=Skill.Status.ACTIVE)
        levels = Counter(skills.values_list("level", flat=True))
        challenges = Challenge.objects.filter(skill__in=skills, status=Challenge.Status.VALIDATED)
        per_skill = Counter(challenges.values_list("skill_id", flat=True))
        rows.append(
            {
                "code": competence.code,
                "tubes": competence.tubes.count(),
                "skills": skills.count(),
                "levels": [levels.get(level, 0) for level in range(1, 9)],
                "challenges": challenges.count(),
                "variants": sum(count - 1 for count in per_skill.values()),
                "skills_with_variants": sum(1 for count in per_skill.values() if count >= 2),
                "types": dict(Counter(challenges.values_list("type", flat=True))),
                "tutorials": competence.tubes.aggregate(n=Count("tutorials"))["n"],
            }
        )
    return rows
