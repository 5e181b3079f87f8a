"""Celery tasks of the accounts app: ids in, one service call, safe to run twice."""

from celery import shared_task

from accounts.emails import invitation_email_send
from accounts.models import Invitation


@shared_task(name="accounts.invitation_send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_email(invitation_id: int) -> None:
    """Send (or re-send) the invitation e-mail, unless it was accepted or cancelled meanwhile."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(pk=invitation_id, status=Invitation.Status.PENDING)
        .first()
    )
    if invitation is not None:
        invitation_email_send(invitation=invitation)
