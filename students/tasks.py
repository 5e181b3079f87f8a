"""Celery tasks of student imports: an id in, one service call; safe to run twice (rows are claimed).

A phase gives up before the sweep would call it stuck (``LEARNER_IMPORT_STUCK_AFTER``): the soft limit
ends it with a French error, the hard one kills it and leaves it to the sweep.
"""

from celery import shared_task
from django.conf import settings

from students.services import imports

_PHASE_LIMITS = {
    "time_limit": settings.LEARNER_IMPORT_STUCK_AFTER,
    "soft_time_limit": settings.LEARNER_IMPORT_STUCK_AFTER * 9 // 10,
}


@shared_task(name="students.learner_import_validate", acks_late=True, **_PHASE_LIMITS)
def learner_import_validate(import_id: int) -> None:
    imports.learner_import_validate(import_id=import_id)


@shared_task(name="students.learner_import_apply", acks_late=True, **_PHASE_LIMITS)
def learner_import_apply(import_id: int) -> None:
    imports.learner_import_apply(import_id=import_id)


@shared_task(name=imports.SWEEP_TASK)
def learner_imports_fail_stuck() -> int:
    """Periodic (Celery beat, every minute): every import ends IMPORTED or in a French error."""
    return imports.learner_imports_fail_stuck()
