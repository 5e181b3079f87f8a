"""The results export job (reference pix-domain §5.5): requested, built by a Celery task, followed, cleaned.

Rules:
- any member of the organisation may export its campaigns' results (reference §4.4); the task is enqueued
  once the export row is committed;
- building claims the PENDING row with a conditional update, so a second worker (or a second run) stops;
  a failure marks the export FAILED instead of leaving it RUNNING;
- progress is read from the cache while the file is written, and is 100 once the export is done or failed;
- files are kept 7 days, then deleted with their row (the school can export again).

The file itself (columns, formats, SQL lines) is written by ``campaigns.exports.export_write``.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from campaigns.exports import export_filename, export_write
from campaigns.models import Campaign, CampaignExport

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=7)


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

    def progress(written: int) -> None:
        cache.set(_progress_key(export_id), min(99, written * 100 // total), timeout=3600)

    try:
        with tempfile.TemporaryFile("w+b") as raw:
            export.row_count = export_write(campaign, raw, max_level=max_level, on_chunk=progress)
            raw.seek(0)
            export.filename = export_filename(campaign)
            export.file.save(export.filename, File(raw), save=False)
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
