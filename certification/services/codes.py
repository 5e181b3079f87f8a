"""Codes handed to people (reference pix-domain §8.2, §8.8; algorithms §8.4)."""

from __future__ import annotations

import secrets

from certification.models import ACCESS_CODE_DIGITS, ACCESS_CODE_LETTERS, PASSWORD_AND_VERIFICATION_ALPHABET

_random = secrets.SystemRandom()


def access_code_generate() -> str:
    """4 letters + 2 digits, read aloud in the room: ``BKQT48``."""
    return "".join(secrets.choice(ACCESS_CODE_LETTERS) for _ in range(4)) + "".join(
        secrets.choice(ACCESS_CODE_DIGITS) for _ in range(2)
    )


def invigilator_password_generate() -> str:
    return "".join(secrets.choice(PASSWORD_AND_VERIFICATION_ALPHABET) for _ in range(5))


def verification_code_generate() -> str:
    """``P-`` + 8 distinct readable characters (the newest Pix rule: a partial shuffle)."""
    return "P-" + "".join(_random.sample(PASSWORD_AND_VERIFICATION_ALPHABET, 8))
