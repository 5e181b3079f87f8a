"""Results CSV exports (reference pix-domain §5.5), built by a Celery task in constant memory.

Format: UTF-8 with BOM (spreadsheets open it right), ``;`` separator, text quoted, a leading apostrophe
before = + - @ (no formula injection), comma decimals, ``NA`` where a result is not shared, ``Oui``/``Non``.
Results of a shared participation are read as they were when it was shared: the latest knowledge of
each skill created before the sharing date.
Participations are read by chunks through a server-side cursor; knowledge elements are fetched once per
chunk, so memory and queries do not grow with the number of participants.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization
from assessments.algorithm.scoring import competence_score
from assessments.models import KnowledgeElement
from campaigns.models import Campaign, CampaignExport, CampaignParticipation
from crcn.models import Area, Competence, Skill

logger = logging.getLogger(__name__)

CHUNK = 1000
KEEP_FOR = timedelta(days=7)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One CSV value as Pix writes it: numbers with a comma and unquoted, text quoted and guarded, NA, Oui/Non."""
    if value is None:
        return '"NA"'
    if isinstance(value, bool):
        return '"Oui"' if value else '"Non"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = f"{float(value):.2f}".rstrip("0").rstrip(".")
        return number.replace(".", ",")
    text = str(value)
    if text.isdigit():
        return text
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def csv_line(values: Iterable) -> str:
    return ";".join(cell(v) for v in values) + "\r\n"


def _paris(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "NA"


def export_filename(campaign: Campaign) -> str:
    safe = re.sub(r"[^\w\- ]", "", campaign.name).strip().replace(" ", "_")[:80] or "campagne"
    return f"Resultats-{safe}-{campaign.pk}-{timezone.localdate():%Y-%m-%d}.csv"


def _participations(campaign: Campaign) -> Iterator[list[CampaignParticipation]]:
    rows = (
        campaign.participations.filter(is_improved=False, deleted_at__isnull=True)
        .select_related("organization_learner")
        .order_by("organization_learner__last_name", "organization_learner__first_name", "id")
        .iterator(chunk_size=CHUNK)
    )
    chunk: list[CampaignParticipation] = []
    for participation in rows:
        chunk.append(participation)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _knowledge_at_share(chunk: list[CampaignParticipation], skill_ids: list[str] | None) -> dict[int, dict[str, str]]:
    """participation id → skill → status, as it stood when the participation was shared."""
    shared = {p.pk: p for p in chunk if p.status == CampaignParticipation.Status.SHARED and p.user_id}
    elements = KnowledgeElement.objects.filter(user_id__in={p.user_id for p in shared.values()})
    if skill_ids is not None:
        elements = elements.filter(skill_id__in=skill_ids)
    by_user: dict[int, list[tuple]] = defaultdict(list)
    for user_id, skill_id, status, earned, created in elements.order_by("created_at", "id").values_list(
        "user_id", "skill_id", "status", "earned_pix", "created_at"
    ):
        by_user[user_id].append((skill_id, status, earned, created))
    result: dict[int, dict[str, tuple]] = {}
    for pk, participation in shared.items():
        state: dict[str, tuple] = {}
        for skill_id, status, earned, created in by_user.get(participation.user_id, []):
            if created <= participation.shared_at:
                state[skill_id] = (status, earned)
        result[pk] = {k: v for k, v in state.items() if v[0] != KnowledgeElement.Status.RESET}
    return result


def _identity_headers(campaign: Campaign) -> list[str]:
    headers = []
    if campaign.organization.is_sco_managing_students:
        headers.append("Classe")
    if campaign.organization.type == Organization.Type.SUP and campaign.organization.is_managing_students:
        headers += ["Groupe", "Numéro Étudiant"]
    if campaign.external_id_label:
        headers.append(campaign.external_id_label)
    return headers


def _identity(campaign: Campaign, participation: CampaignParticipation) -> list:
    learner = participation.organization_learner
    values = []
    if campaign.organization.is_sco_managing_students:
        values.append(learner.division if learner else "")
    if campaign.organization.type == Organization.Type.SUP and campaign.organization.is_managing_students:
        values += [learner.group if learner else "", learner.student_number if learner else ""]
    if campaign.external_id_label:
        values.append(participation.participant_external_id)
    return values


def assessment_rows(campaign: Campaign) -> Iterable[list]:
    skills = list(Skill.objects.filter(campaign_links__campaign=campaign).select_related("tube").order_by("name"))
    skill_ids = [s.name for s in skills]
    by_competence: dict[str, list[str]] = defaultdict(list)
    for skill in skills:
        by_competence[skill.tube.competence_id].append(skill.name)
    competences = list(Competence.objects.filter(code__in=by_competence).order_by("code"))
    areas = list(Area.objects.filter(competences__in=competences).distinct().order_by("code"))
    stages = list(campaign.target_profile.stages.order_by("threshold")) if campaign.target_profile_id else []
    header = [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Parcours",
        "Nom du Participant",
        "Prénom du Participant",
        *_identity_headers(campaign),
        "% de progression",
        "Date de début",
        "Partage (O/N)",
        "Date du partage",
    ]
    if stages:
        header.append(f"Palier obtenu (/{len(stages) - 1})")
    header.append("% maitrise de l'ensemble des acquis du profil")
    for competence in competences:
        header += [
            f"% de maitrise des acquis de la compétence {competence.name}",
            f"Nombre d'acquis du profil cible dans la compétence {competence.name}",
            f"Acquis maitrisés dans la compétence {competence.name}",
        ]
    for area in areas:
        header += [
            f"% de maitrise des acquis du domaine {area.name}",
            f"Nombre d'acquis du profil cible du domaine {area.name}",
            f"Acquis maitrisés du domaine {area.name}",
        ]
    yield header
    for chunk in _participations(campaign):
        knowledge = _knowledge_at_share(chunk, skill_ids)
        for participation in chunk:
            learner = participation.organization_learner
            is_shared = participation.status == CampaignParticipation.Status.SHARED
            state = knowledge.get(participation.pk, {})
            validated = {k for k, (status, _) in state.items() if status == KnowledgeElement.Status.VALIDATED}
            progression = 1.0 if participation.status != CampaignParticipation.Status.STARTED else None
            row = [
                campaign.organization.name,
                campaign.pk,
                campaign.code,
                campaign.name,
                campaign.target_profile.name if campaign.target_profile_id else "",
                learner.last_name if learner else "",
                learner.first_name if learner else "",
                *_identity(campaign, participation),
                progression if progression is not None else 0.0,
                _paris(participation.created_at),
                is_shared,
                _paris(participation.shared_at) if is_shared else "NA",
            ]
            mastery = (
                float(participation.mastery_rate) if is_shared and participation.mastery_rate is not None else None
            )
            if stages:
                percentage = round((mastery or 0) * 100)
                reached = sum(1 for s in stages if s.threshold <= percentage) - 1
                row.append(reached if is_shared else None)
            row.append(mastery)
            for competence in competences:
                ids = by_competence[competence.code]
                count = sum(1 for s in ids if s in validated)
                row += [round(count / len(ids), 2) if is_shared else None, len(ids), count if is_shared else None]
            for area in areas:
                ids = [s for c in competences if c.area_id == area.code for s in by_competence[c.code]]
                count = sum(1 for s in ids if s in validated)
                row += [
                    round(count / len(ids), 2) if is_shared and ids else None,
                    len(ids),
                    count if is_shared else None,
                ]
            yield row


def profiles_rows(campaign: Campaign, *, max_level: int) -> Iterable[list]:
    competences = list(Competence.objects.order_by("code"))
    header = [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Nom du Participant",
        "Prénom du Participant",
        *_identity_headers(campaign),
        "Envoi (O/N)",
        "Date de l'envoi",
        "Nombre de pix total",
        "Certifiable (O/N)",
        "Nombre de compétences certifiables",
    ]
    for competence in competences:
        header += [
            f"Niveau pour la compétence {competence.name}",
            f"Nombre de pix pour la compétence {competence.name}",
        ]
    yield header
    competence_of = dict(Skill.objects.values_list("name", "tube__competence_id"))
    for chunk in _participations(campaign):
        knowledge = _knowledge_at_share(chunk, None)
        for participation in chunk:
            learner = participation.organization_learner
            is_shared = participation.status == CampaignParticipation.Status.SHARED
            row = [
                campaign.organization.name,
                campaign.pk,
                campaign.code,
                campaign.name,
                learner.last_name if learner else "",
                learner.first_name if learner else "",
                *_identity(campaign, participation),
                is_shared,
                timezone.localtime(participation.shared_at).strftime("%Y-%m-%d") if is_shared else None,
            ]
            if not is_shared:
                row += [None, None, None] + [None, None] * len(competences)
                yield row
                continue
            earned: dict[str, list[float]] = defaultdict(list)
            for skill_id, (status, pix) in knowledge.get(participation.pk, {}).items():
                if status == KnowledgeElement.Status.VALIDATED:
                    earned[competence_of.get(skill_id, "")].append(float(pix))
            scores = [competence_score(c.code, earned.get(c.code, ()), max_level=max_level) for c in competences]
            certifiable_count = sum(1 for s in scores if s.level >= 1)
            row += [sum(s.pix for s in scores), certifiable_count >= 5, certifiable_count]
            for score in scores:
                row += [score.level, score.pix]
            yield row


def _progress_key(export_id: int) -> str:
    return f"campaign-export-progress:{export_id}"


def campaign_export_progress(export: CampaignExport) -> int:
    if export.status in (CampaignExport.Status.DONE, CampaignExport.Status.FAILED):
        return 100
    return int(cache.get(_progress_key(export.pk)) or 0)


@transaction.atomic(durable=True)
def campaign_export_request(*, campaign: Campaign, membership: Membership) -> CampaignExport:
    """Any member of the organisation may export its campaigns' results (reference §4.4)."""
    from campaigns.tasks import campaign_export_build

    export = CampaignExport.objects.create(campaign=campaign, requested_by=membership.user)
    transaction.on_commit(lambda: campaign_export_build.delay(export.pk))
    return export


def campaign_export_build(*, export_id: int, max_level: int) -> None:
    """Write the CSV to a temporary file, then store it; the export row says when it is ready."""
    claimed = CampaignExport.objects.filter(pk=export_id, status=CampaignExport.Status.PENDING).update(
        status=CampaignExport.Status.RUNNING
    )
    if not claimed:
        return
    export = CampaignExport.objects.select_related("campaign__organization", "campaign__target_profile").get(
        pk=export_id
    )
    campaign = export.campaign
    total = max(1, campaign.participations.filter(is_improved=False, deleted_at__isnull=True).count())
    try:
        rows = (
            assessment_rows(campaign)
            if campaign.type == Campaign.Type.ASSESSMENT
            else profiles_rows(campaign, max_level=max_level)
        )
        with tempfile.TemporaryFile("w+b") as raw:
            raw.write("\ufeff".encode())
            count = -1
            for row in rows:
                raw.write(csv_line(row).encode("utf-8"))
                count += 1
                if count and count % 500 == 0:
                    cache.set(_progress_key(export_id), min(99, count * 100 // total), timeout=3600)
            raw.seek(0)
            export.filename = export_filename(campaign)
            export.file.save(export.filename, File(raw), save=False)
        export.row_count = max(0, count)
        export.status = CampaignExport.Status.DONE
    except Exception:
        logger.exception("export %s", export_id)
        export.status = CampaignExport.Status.FAILED
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "filename", "row_count", "status", "finished_at"])
    cache.delete(_progress_key(export_id))


def campaign_exports_clean(*, now=None) -> int:
    """Files older than 7 days are deleted with their row (the school can export again)."""
    limit = (now or timezone.now()) - KEEP_FOR
    old = list(CampaignExport.objects.filter(created_at__lt=limit))
    for export in old:
        if export.file:
            export.file.delete(save=False)
    CampaignExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)
