"""Log in with an e-mail address (case-insensitive) or a username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.selectors import user_find_by_login


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = user_find_by_login(login=username)
        if user is None:
            # The same hashing work as a wrong password, so the response time does not reveal which logins
            # exist; returning None makes Django send user_login_failed, which django-axes counts.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
