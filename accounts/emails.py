"""E-mails of the accounts app, rendered from templates (text + HTML)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Invitation


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accounts:invitation", kwargs={"invitation_id": invitation.pk})
    return f"{settings.SITE_URL}{path}?code={invitation.code}"


def invitation_email_send(*, invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "url": invitation_url(invitation),
        "requested_by_name": invitation.requested_by_name,
    }
    subject = f"Invitation à rejoindre {invitation.organization.name} sur Pix Orga"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("accounts/emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("accounts/emails/invitation.html", context), "text/html")
    message.send()
