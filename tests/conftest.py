import os
import shutil
import uuid
from pathlib import Path

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
def _fast_test_settings(settings, tmp_path_factory):
    # A deliberately slow password hash is the point in production and only a cost in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rows a test has just written are listed at once; tests/consortium/test_api.py checks the wait.
    settings.SYNC_SETTLE_SECONDS = 0
    # Each test sees an empty cache (rate limits, used TOTP codes), on Redis as much as in memory.
    settings.CACHES = {name: {**config, "KEY_PREFIX": uuid.uuid4().hex} for name, config in settings.CACHES.items()}
    # Uploads and seeded files land in a folder of the test run, never in var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
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


BROWSER_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's chromium driven by Playwright; never a downloaded browser."""
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but there is no chromium on the PATH")
        pytest.skip("no chromium on the PATH (apt-get install chromium); CI installs it and runs this test")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server, transactional_db):
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # A Content-Security-Policy violation or a script error shows up as a console error.
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} ({message.location.get('url')})") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture
def another_browser(chromium_browser, live_server):
    """Opens the browser of another person, beside the `page` fixture's: open_page() -> a new page."""
    contexts = []

    def open_page():
        context = chromium_browser.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-artifacts/ to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
