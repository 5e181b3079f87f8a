"""Read e-mails the file-based backend wrote (from the test process or the Celery worker)."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message
from pathlib import Path

from django.conf import settings

_SEPARATOR = "\n" + "-" * 79 + "\n"


def sent_emails() -> list[Message]:
    messages = []
    for path in sorted(Path(settings.EMAIL_FILE_PATH).glob("*.log")):
        for chunk in path.read_text(encoding="utf-8").split(_SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip(), policy=email.policy.default))
    return messages


def emails_to(address: str) -> list[Message]:
    return [m for m in sent_emails() if address.lower() in (m.get("To") or "").lower()]


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    return ""


def first_link(message: Message) -> str:
    match = re.search(r"https?://\S+", text_of(message))
    assert match, "aucun lien dans l'e-mail"
    return match.group(0)
