"""What a participant knew when sharing: a shared participation's results are read as they were then.

One rule, written twice: in Python for one participant's page, in SQL where thousands of participations are
read at once (analysis, exports). The state of a skill is its latest knowledge element created before the
sharing date (ties broken by id); a ``reset`` element forgets the skill.
"""

from __future__ import annotations

from collections import defaultdict

from assessments.models import KnowledgeElement
from campaigns.models import CampaignParticipation

KNOWLEDGE = KnowledgeElement._meta.db_table


def latest_at_share_sql(*, targeted_only: bool) -> str:
    """SQL of a participation's (aliased ``p``) latest knowledge element per skill when shared; none if not shared.

    Meant for a LATERAL join: run once per participation, it reads that learner's elements through the user
    index and sorts a few dozen rows, where one DISTINCT ON over every sharer would sort them all (on disk
    past a few thousand sharers). ``targeted_only``: only the skills of ``%(skills)s``.
    """
    targeted = "AND ke.skill_id = ANY(%(skills)s)" if targeted_only else ""
    return f"""
        SELECT DISTINCT ON (ke.skill_id) ke.skill_id, ke.status, ke.earned_pix
        FROM {KNOWLEDGE} ke
        WHERE ke.user_id = p.user_id AND ke.created_at <= p.shared_at AND p.status = %(shared)s {targeted}
        ORDER BY ke.skill_id, ke.created_at DESC, ke.id DESC
    """


LATEST_AT_SHARE_PARAMS = {"shared": CampaignParticipation.Status.SHARED, "validated": KnowledgeElement.Status.VALIDATED}


def knowledge_at_share(
    participations: list[CampaignParticipation], skill_ids: list[str] | None
) -> dict[int, dict[str, tuple]]:
    """participation id → skill → (status, earned pix), as it stood when the participation was shared."""
    shared = {p.pk: p for p in participations if p.status == CampaignParticipation.Status.SHARED and p.user_id}
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
