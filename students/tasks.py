"""Celery tasks of student imports: an id in, one service call; safe to run twice (rows are claimed)."""

from celery import shared_task

from students.services import imports


@shared_task(name="students.learner_import_validate", acks_late=True)
def learner_import_validate(import_id: int) -> None:
    imports.learner_import_validate(import_id=import_id)


@shared_task(name="students.learner_import_apply", acks_late=True)
def learner_import_apply(import_id: int) -> None:
    imports.learner_import_apply(import_id=import_id)
