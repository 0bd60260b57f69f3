import pytest

from consortium.celery import app as celery_app
from consortium.models import Role
from tests.factories import InstitutionFactory, UserFactory


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Run tasks in-process; the tests that need a real worker start one themselves."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    # A deliberately slow password hash is the point in production and only a cost in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL to run it (CI does)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture
def home(db):
    """The user's own institution."""
    return InstitutionFactory(name="Universidad de Prueba", short_name="UP", slug="up", domains=["up.example"])


@pytest.fixture
def other(db):
    """Another member institution."""
    return InstitutionFactory(name="Università Altra", short_name="UA", slug="ua", country="IT", domains=["ua.example"])


@pytest.fixture
def make_user(db, home):
    def make(*roles, institution=None, **kwargs):
        return UserFactory(roles=list(roles), institution=institution or home, **kwargs)

    return make


@pytest.fixture
def people(make_user, home, other):
    """One person per role at the home institution, and a partner admin elsewhere."""
    return {
        "student": make_user(Role.STUDENT),
        "officer": make_user(Role.CAREER_OFFICER),
        "academic": make_user(Role.ACADEMIC),
        "admin": make_user(Role.PARTNER_ADMIN),
        "consortium_admin": make_user(Role.CONSORTIUM_ADMIN, institution=other),
        "other_admin": make_user(Role.PARTNER_ADMIN, institution=other),
        "other_officer": make_user(Role.CAREER_OFFICER, institution=other),
    }
