"""Participations: starting, sharing, retrying, resetting (reference pix-domain §5).

Rules:
- starting is refused (reference §5.2, in its order) for a learner who has left the school, an archived
  campaign, a learner who is not on the school's list (restricted campaigns), an ongoing participation,
  a school record already used by another account, or a missing external id; a learner without a school
  record gets one; an assessment campaign starts its test with the participation;
- sharing needs a finished participation of a campaign that is not archived, and computes the results
  once (a snapshot);
- retrying and resetting (reference §5.3) need an active learner, a campaign neither archived nor deleted
  that allows several sendings, shared results and 4 days since sharing (a profile may be sent again at
  once); retrying needs something left to learn, resetting a parcours that allows it and resets what the
  learner knew of its skills; the shared participation is kept as "improved" and a new one starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.algorithm.scoring import mastery_rate
from assessments.models import Assessment, KnowledgeElement
from assessments.services import RETRY_DELAY, current_knowledge, knowledge_reset
from campaigns.models import Campaign, CampaignParticipation
from pixorga.errors import ApplicationError

if TYPE_CHECKING:
    from students.models import OrganizationLearner

CAMPAIGN_ARCHIVED = "Cette campagne est archivée : elle n'accepte plus de participants ni d'envoi de résultats."
NOT_ON_THE_LIST = "Vous devez d'abord vous identifier parmi les élèves de l'établissement."
EXTERNAL_ID_REQUIRED = "Renseignez « {label} » pour commencer."
ALREADY_PARTICIPATING = "Vous participez déjà à cette campagne."
LEARNER_DISABLED = (
    "Vous ne figurez plus parmi les élèves de cet établissement : vous ne pouvez pas participer à ses campagnes. "
    "Adressez-vous à votre établissement si c'est une erreur."
)
LEARNER_ALREADY_USED = (
    "Un autre compte a déjà participé à cette campagne pour cet élève. Connectez-vous avec ce compte-là, "
    "ou demandez à votre enseignant de vérifier votre rattachement."
)
NOT_FINISHED = "Terminez le test avant d'envoyer vos résultats."
INVALID_EMAIL = "« {label} » doit être une adresse e-mail valide."
RETRY_NOT_ALLOWED = "Cette campagne ne permet pas de repasser le parcours."
RETRY_TOO_EARLY = "Vous pourrez repasser ce parcours dans {days} jour{s}."
RETRY_NOTHING_TO_IMPROVE = "Vous avez déjà réussi tout le parcours."
RESET_NOT_ALLOWED = "Ce parcours ne peut pas être remis à zéro."
RESET_TOO_EARLY = "Vous pourrez remettre à zéro et repasser ce parcours dans {days} jour{s}."
ALREADY_SHARED = "Vos résultats ont déjà été envoyés."


def _participation_create(
    *, campaign: Campaign, user: User, learner: OrganizationLearner | None, external_id: str
) -> CampaignParticipation:
    """A new sending: the participation, and for an assessment campaign the test it starts (one place for both)."""
    participation = CampaignParticipation.objects.create(
        campaign=campaign,
        user=user,
        organization_learner=learner,
        participant_external_id=external_id,
        status=(
            CampaignParticipation.Status.STARTED
            if campaign.type == Campaign.Type.ASSESSMENT
            else CampaignParticipation.Status.TO_SHARE
        ),
    )
    if campaign.type == Campaign.Type.ASSESSMENT:
        Assessment.objects.create(user=user, type=Assessment.Type.CAMPAIGN, participation=participation)
    return participation


@transaction.atomic(durable=True)
def participation_start(*, campaign: Campaign, user: User, participant_external_id: str = "") -> CampaignParticipation:
    """Join a campaign (reference §5.2); an assessment campaign also starts its test."""
    campaign = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
    learners = list(campaign.organization.learners.filter(user=user))
    learner = next((one for one in learners if not one.is_disabled), None)
    if learners and learner is None:  # rule 1: a learner who has left the school
        raise ApplicationError(LEARNER_DISABLED, "LEARNER_DISABLED", status_code=403)
    if campaign.is_archived or campaign.deleted_at:
        raise ApplicationError(CAMPAIGN_ARCHIVED, "CAMPAIGN_ARCHIVED", status_code=403)
    if campaign.is_restricted and learner is None:
        raise ApplicationError(NOT_ON_THE_LIST, "NOT_RECONCILED", status_code=403)
    existing = campaign.participations.filter(user=user, is_improved=False, deleted_at__isnull=True).first()
    if existing is not None:
        raise ApplicationError(ALREADY_PARTICIPATING, "ALREADY_PARTICIPATING", status_code=409)
    external_id = participant_external_id.strip()
    if campaign.external_id_label and not external_id:
        raise ApplicationError(EXTERNAL_ID_REQUIRED.format(label=campaign.external_id_label), "MISSING_EXTERNAL_ID")
    if campaign.external_id_label and campaign.external_id_type == Campaign.ExternalIdType.EMAIL:
        try:
            validate_email(external_id)
        except ValidationError as exc:
            raise ApplicationError(INVALID_EMAIL.format(label=campaign.external_id_label), "INVALID_EMAIL") from exc
    if (
        learner is not None
        and campaign.participations.filter(organization_learner=learner, deleted_at__isnull=True)
        .exclude(user=user)
        .exists()
    ):
        raise ApplicationError(LEARNER_ALREADY_USED, "ORGANIZATION_LEARNER_HAS_ALREADY_PARTICIPATED", status_code=409)
    if learner is None:
        from students.models import OrganizationLearner

        learner = OrganizationLearner(
            organization=campaign.organization, user=user, first_name=user.first_name, last_name=user.last_name
        )
        learner.refresh_search_text()
        learner.save()
    return _participation_create(campaign=campaign, user=user, learner=learner, external_id=external_id[:255])


@transaction.atomic(durable=True)
def participation_share(*, participation: CampaignParticipation, user: User) -> CampaignParticipation:
    """ "J'envoie mes résultats": results are computed now and kept as they are (a snapshot)."""
    participation = (
        CampaignParticipation.objects.select_for_update().select_related("campaign").get(pk=participation.pk, user=user)
    )
    if participation.campaign.is_archived:
        raise ApplicationError(CAMPAIGN_ARCHIVED, "CAMPAIGN_ARCHIVED", status_code=403)
    if participation.status == CampaignParticipation.Status.SHARED:
        raise ApplicationError(ALREADY_SHARED, "ALREADY_SHARED", status_code=409)
    if participation.status != CampaignParticipation.Status.TO_SHARE:
        raise ApplicationError(NOT_FINISHED, "NOT_FINISHED", status_code=409)
    skill_ids = list(participation.campaign.campaign_skills.values_list("skill_id", flat=True))
    if skill_ids:
        knowledge = current_knowledge(user=user, skill_ids=skill_ids)
        validated = sum(1 for ke in knowledge.values() if ke.status == KnowledgeElement.Status.VALIDATED)
        participation.validated_skills_count = validated
        participation.mastery_rate = mastery_rate(validated, len(skill_ids))
    if participation.campaign.type == Campaign.Type.PROFILES_COLLECTION:
        from assessments.selectors import profile_for_user

        scores, total, certifiable = profile_for_user(user=user)
        participation.pix_score = total
        participation.is_certifiable = certifiable
        participation.certifiable_competences_count = sum(1 for score, _ in scores if score.level >= 1)
    participation.status = CampaignParticipation.Status.SHARED
    participation.shared_at = timezone.now()
    participation.save(
        update_fields=[
            "status",
            "shared_at",
            "validated_skills_count",
            "mastery_rate",
            "pix_score",
            "is_certifiable",
            "certifiable_competences_count",
        ]
    )
    return participation


def _nothing_to_improve(participation: CampaignParticipation) -> bool:
    return (
        participation.campaign.type == Campaign.Type.ASSESSMENT
        and participation.mastery_rate is not None
        and participation.mastery_rate >= 1
    )


def _may_send_again(participation: CampaignParticipation) -> bool:
    """What retrying and resetting both need (reference §5.3): an active learner, a campaign neither archived
    nor deleted that allows several sendings, and results already shared."""
    campaign = participation.campaign
    learner = participation.organization_learner
    return (
        campaign.multiple_sendings
        and not campaign.is_archived
        and not campaign.deleted_at
        and not participation.deleted_at
        and not (learner is not None and learner.is_disabled)
        and participation.status == CampaignParticipation.Status.SHARED
    )


def _days_left_after_sharing(participation: CampaignParticipation) -> int:
    remaining = participation.shared_at + RETRY_DELAY - timezone.now()
    return max(0, -(-int(remaining.total_seconds()) // 86400))


def participation_retry_delay(participation: CampaignParticipation) -> int | None:
    """Days left before "Repasser mon parcours" (0 = now), or None when retrying is not possible at all.

    Reference §5.3 canRetry: see ``_may_send_again``, and for an assessment something left to learn and
    4 days since sharing; a profile may be sent again at once.
    """
    if not _may_send_again(participation) or _nothing_to_improve(participation):
        return None
    if participation.campaign.type == Campaign.Type.ASSESSMENT:
        return _days_left_after_sharing(participation)
    return 0


def participation_reset_delay(participation: CampaignParticipation) -> int | None:
    """Days left before « Remettre à zéro et repasser » (0 = now), or None when the campaign does not allow it.

    Reference §5.3 canReset: an assessment on a parcours that allows it, see ``_may_send_again``, 4 days
    after sharing — even when everything was mastered, since the point is to start from scratch.
    """
    campaign = participation.campaign
    profile = campaign.target_profile
    if (
        campaign.type != Campaign.Type.ASSESSMENT
        or profile is None
        or not profile.are_knowledge_elements_resettable
        or not _may_send_again(participation)
    ):
        return None
    return _days_left_after_sharing(participation)


def _shared_participation_locked(participation: CampaignParticipation, user: User) -> CampaignParticipation | None:
    return (
        CampaignParticipation.objects.select_for_update(of=("self",))
        .select_related("campaign__target_profile", "organization_learner")
        .filter(pk=participation.pk, user=user, is_improved=False, deleted_at__isnull=True)
        .first()
    )


def _refuse_too_early(days: int, message: str, code: str) -> None:
    if days > 0:
        raise ApplicationError(message.format(days=days, s="s" if days > 1 else ""), code, status_code=412)


def _new_sending(participation: CampaignParticipation, user: User) -> CampaignParticipation:
    """The shared participation is kept as "improved" (its results stay for the teacher); a new one starts."""
    participation.is_improved = True
    participation.save(update_fields=["is_improved"])
    return _participation_create(
        campaign=participation.campaign,
        user=user,
        learner=participation.organization_learner,
        external_id=participation.participant_external_id,
    )


@transaction.atomic(durable=True)
def participation_retry(*, participation: CampaignParticipation, user: User) -> CampaignParticipation:
    """ "Repasser mon parcours" (reference §5.3): failures older than 4 days may be asked again."""
    participation = _shared_participation_locked(participation, user)
    if participation is None:
        raise ApplicationError(RETRY_NOT_ALLOWED, "RETRY_NOT_ALLOWED", status_code=403)
    if _nothing_to_improve(participation):
        raise ApplicationError(RETRY_NOTHING_TO_IMPROVE, "NOTHING_TO_IMPROVE", status_code=403)
    days = participation_retry_delay(participation)
    if days is None:
        raise ApplicationError(RETRY_NOT_ALLOWED, "RETRY_NOT_ALLOWED", status_code=403)
    _refuse_too_early(days, RETRY_TOO_EARLY, "RETRY_TOO_EARLY")
    return _new_sending(participation, user)


@transaction.atomic(durable=True)
def participation_reset(*, participation: CampaignParticipation, user: User) -> CampaignParticipation:
    """« Remettre à zéro et repasser » (reference §5.3): what the learner knew of the campaign's skills is
    reset (history kept, pix withdrawn), then a new test starts on every skill."""
    participation = _shared_participation_locked(participation, user)
    days = participation_reset_delay(participation) if participation is not None else None
    if days is None:
        raise ApplicationError(RESET_NOT_ALLOWED, "RESET_NOT_ALLOWED", status_code=403)
    _refuse_too_early(days, RESET_TOO_EARLY, "RESET_TOO_EARLY")
    skill_ids = list(participation.campaign.campaign_skills.values_list("skill_id", flat=True))
    knowledge_reset(user=user, skill_ids=skill_ids)
    return _new_sending(participation, user)
