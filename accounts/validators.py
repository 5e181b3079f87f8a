"""Password policy of the platform: at least one uppercase, one lowercase letter and one digit."""

from django.core.exceptions import ValidationError

PASSWORD_POLICY_MESSAGE = "Le mot de passe doit contenir au moins une majuscule, une minuscule et un chiffre."  # noqa: S105


class PixPasswordPolicyValidator:
    def validate(self, password, user=None):
        if not (
            any(c.isupper() for c in password)
            and any(c.islower() for c in password)
            and any(c.isdigit() for c in password)
        ):
            raise ValidationError(PASSWORD_POLICY_MESSAGE, code="password_policy")

    def get_help_text(self):
        return PASSWORD_POLICY_MESSAGE
