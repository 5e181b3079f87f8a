"""Campaigns: creation, codes, edition, archiving, deletion, owner (reference pix-domain §4).

Rules:
- ASSESSMENT needs a target profile available to the organisation (public or shared) and copies its
  skills (tubes up to their cap) into the campaign; PROFILES_COLLECTION has neither profile nor title;
- codes are 6 readable letters + 3 digits, unique (the database constraint settles races);
- admins and the campaign's owner manage it (edit, archive, delete); any member sees it; a new owner
  must be an active member of the organisation;
- deleting is soft and anonymises the participations (no user, no external id).
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Organization, User
from campaigns.models import CODE_DIGITS, CODE_LETTERS, Campaign, CampaignSkill
from crcn.models import Skill, TargetProfile
from pixorga.errors import ApplicationError

TARGET_PROFILE_REQUIRED = "Choisissez ce que vous souhaitez tester (un parcours)."
TARGET_PROFILE_UNAVAILABLE = "Ce parcours n'est pas disponible pour votre organisation."
PROFILES_COLLECTION_HAS_NO_PROFILE = "Une collecte de profils ne porte pas sur un parcours."
NOT_ALLOWED_TO_MANAGE = "Seuls les administrateurs et le propriétaire de la campagne peuvent la modifier."
OWNER_NOT_MEMBER = "Le nouveau propriétaire doit être membre de l'organisation."
NOT_ALLOWED_TO_DELETE = "Seuls les administrateurs et le propriétaire de la campagne peuvent la supprimer."


def campaign_code_generate() -> str:
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
    return letters + "".join(secrets.choice(CODE_DIGITS) for _ in range(3))


def _available_profiles(organization: Organization):
    return TargetProfile.objects.filter(Q(is_public=True) | Q(organizations=organization), outdated=False).distinct()


def campaign_create(
    *,
    organization: Organization,
    creator: User,
    name: str,
    type: str,
    target_profile_id: int | None = None,
    title: str = "",
    custom_landing_page_text: str = "",
    external_id_label: str = "",
    external_id_type: str = Campaign.ExternalIdType.STRING,
    multiple_sendings: bool = False,
    owner: User | None = None,
) -> Campaign:
    if type == Campaign.Type.ASSESSMENT:
        if not target_profile_id:
            raise ApplicationError(TARGET_PROFILE_REQUIRED, "TARGET_PROFILE_REQUIRED")
        target_profile = _available_profiles(organization).filter(pk=target_profile_id).first()
        if target_profile is None:
            raise ApplicationError(TARGET_PROFILE_UNAVAILABLE, "TARGET_PROFILE_UNAVAILABLE")
    elif type == Campaign.Type.PROFILES_COLLECTION:
        if target_profile_id:
            raise ApplicationError(PROFILES_COLLECTION_HAS_NO_PROFILE, "TARGET_PROFILE_NOT_ALLOWED")
        target_profile, title = None, ""
    else:
        raise ApplicationError("Choisissez l'objectif de la campagne.", "CAMPAIGN_PURPOSE_IS_REQUIRED")
    for _attempt in range(10):
        try:
            with transaction.atomic():
                campaign = Campaign(
                    organization=organization,
                    name=name.strip(),
                    type=type,
                    target_profile=target_profile,
                    title=title.strip(),
                    custom_landing_page_text=custom_landing_page_text.strip(),
                    external_id_label=external_id_label.strip(),
                    external_id_type=external_id_type if external_id_label.strip() else Campaign.ExternalIdType.STRING,
                    multiple_sendings=multiple_sendings,
                    creator=creator,
                    owner=owner or creator,
                    code=campaign_code_generate(),
                )
                campaign.full_clean(exclude=["code"])
                campaign.save()
                if target_profile is not None:
                    skills = Skill.objects.filter(status=Skill.Status.ACTIVE).filter(
                        _capped_tubes_filter(target_profile)
                    )
                    CampaignSkill.objects.bulk_create([CampaignSkill(campaign=campaign, skill=s) for s in skills])
                return campaign
        except IntegrityError:
            continue  # another campaign got that code meanwhile: draw again
    raise ApplicationError(
        "Impossible de générer un code de campagne, réessayez.", "CODE_GENERATION_FAILED", status_code=503
    )


def _capped_tubes_filter(target_profile: TargetProfile) -> Q:
    condition = Q(pk__in=[])
    for capped in target_profile.capped_tubes.all():
        condition |= Q(tube_id=capped.tube_id, level__lte=capped.level)
    return condition


def campaign_can_manage(*, campaign: Campaign, membership: Membership) -> bool:
    return membership.is_admin or campaign.owner_id == membership.user_id


@transaction.atomic(durable=True)
def campaign_update(*, campaign: Campaign, membership: Membership, **changes) -> Campaign:
    """Name, title, landing text and owner can change; the new owner must be a member (reference §4.5)."""
    if not campaign_can_manage(campaign=campaign, membership=membership):
        raise ApplicationError(NOT_ALLOWED_TO_MANAGE, "FORBIDDEN", status_code=403)
    fields = []
    for name in ("name", "title", "custom_landing_page_text"):
        if name in changes and changes[name] is not None:
            if name == "title" and campaign.type == Campaign.Type.PROFILES_COLLECTION and changes[name]:
                raise ApplicationError("Une collecte de profils n'a pas de titre de parcours.", "TITLE_NOT_ALLOWED")
            setattr(campaign, name, str(changes[name]).strip())
            fields.append(name)
    if changes.get("owner_id") is not None:
        owner = Membership.objects.filter(
            organization=campaign.organization, user_id=changes["owner_id"], disabled_at__isnull=True
        ).first()
        if owner is None:
            raise ApplicationError(OWNER_NOT_MEMBER, "OWNER_NOT_IN_ORGANIZATION")
        campaign.owner_id = owner.user_id
        fields.append("owner")
    if not campaign.name:
        raise ApplicationError("Le nom de la campagne est obligatoire.", "NAME_REQUIRED")
    campaign.save(update_fields=fields or None)
    return campaign


def campaign_archive(*, campaign: Campaign, membership: Membership) -> Campaign:
    if not campaign_can_manage(campaign=campaign, membership=membership):
        raise ApplicationError(NOT_ALLOWED_TO_MANAGE, "FORBIDDEN", status_code=403)
    if campaign.archived_at is None:
        campaign.archived_at = timezone.now()
        campaign.archived_by = membership.user
        campaign.save(update_fields=["archived_at", "archived_by"])
    return campaign


def campaign_unarchive(*, campaign: Campaign, membership: Membership) -> Campaign:
    if not campaign_can_manage(campaign=campaign, membership=membership):
        raise ApplicationError(NOT_ALLOWED_TO_MANAGE, "FORBIDDEN", status_code=403)
    campaign.archived_at = None
    campaign.archived_by = None
    campaign.save(update_fields=["archived_at", "archived_by"])
    return campaign


@transaction.atomic(durable=True)
def campaign_delete(*, campaign: Campaign, membership: Membership) -> None:
    """Soft delete; participations are deleted and anonymised (no user, no external id) — reference §4.5."""
    if not campaign_can_manage(campaign=campaign, membership=membership):
        raise ApplicationError(NOT_ALLOWED_TO_DELETE, "FORBIDDEN", status_code=403)
    now = timezone.now()
    campaign.deleted_at, campaign.deleted_by = now, membership.user
    campaign.save(update_fields=["deleted_at", "deleted_by"])
    campaign.participations.filter(deleted_at__isnull=True).update(
        deleted_at=now, user=None, participant_external_id=""
    )
