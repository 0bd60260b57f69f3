"""Authentication backends: Django's and allauth's, loading a signed-in person's institution with them.

Every page names the person's institution in its navigation; loaded with the person, it costs no query
of its own.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model


class _WithInstitution:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("institution").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_WithInstitution, backends.ModelBackend):
    pass


class AuthenticationBackend(_WithInstitution, allauth_backends.AuthenticationBackend):
    pass
