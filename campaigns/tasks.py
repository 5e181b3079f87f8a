"""Celery tasks of campaigns: ids in, one service call."""

from celery import shared_task
from django.conf import settings

from campaigns.services import exports


@shared_task(name="campaigns.campaign_export_build", acks_late=True)
def campaign_export_build(export_id: int) -> None:
    exports.campaign_export_build(export_id=export_id, max_level=settings.MAX_REACHABLE_LEVEL)


@shared_task(name="campaigns.campaign_exports_clean")
def campaign_exports_clean() -> int:
    return exports.campaign_exports_clean()
