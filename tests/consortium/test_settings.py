"""Settings come from the environment; production refuses unsafe ones and sends strict headers."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "careers.example.org",
    "SITE_URL": "https://careers.example.org",
}
HEADERS_SCRIPT = """
import django
django.setup()
from django.test import Client
# A page that needs no collected static files.
response = Client().get("/healthz", secure=True, headers={"host": "careers.example.org"})
print(response.status_code)
for name in ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
             "X-Frame-Options", "Referrer-Policy"):
    print(f"{name}: {response.headers.get(name)}")
"""


def run(args, **env):
    # A process of its own, on nothing shared: its own SQLite file, local-memory cache, eager tasks.
    shared = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in shared}
    clean.update(DJANGO_SETTINGS_MODULE="consortium.settings", VAR_DIR=str(ROOT / "var" / "test-settings"), **env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_with_the_development_secret_key():
    result = run(["manage.py", "check"], DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="localhost")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_DEBUG is off: set DJANGO_SECRET_KEY to a random string of 50+ characters."
    )


def test_production_refuses_to_start_without_allowed_hosts():
    result = run(["manage.py", "check"], DJANGO_DEBUG="false", DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"])
    assert result.returncode == 2
    assert "set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_a_malformed_boolean_is_named():
    result = run(["manage.py", "check"], DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of true/false" in result.stderr


def test_check_deploy_reports_nothing():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_responses_carry_security_headers():
    result = run(["-c", HEADERS_SCRIPT], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "200", result.stdout + result.stderr
    assert "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload" in lines
    assert "X-Content-Type-Options: nosniff" in lines
    assert "X-Frame-Options: DENY" in lines
    csp = next(line for line in lines if line.startswith("Content-Security-Policy: "))
    # django-csp writes the directives in no fixed order, so they are compared as a mapping.
    directives = dict(part.strip().split(" ", 1) for part in csp.removeprefix("Content-Security-Policy: ").split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER_OR_STYLE = re.compile(r"\s(on[a-z]+|style)\s*=", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "student", "admin", "consortium_admin"])
def test_pages_use_no_inline_script_or_style(client, people, home, who):
    if who:
        client.force_login(people[who])
    urls = [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/institutions/",
        "/jobs/",
        "/profile/",
        f"/manage/{home.slug}/",
        f"/manage/{home.slug}/staff/",
        f"/manage/{home.slug}/liaison/",
        f"/manage/{home.slug}/api-keys/",
        "/companies/",
    ]
    checked = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        page = response.content.decode()
        assert not INLINE_SCRIPT.search(page), url
        assert not INLINE_HANDLER_OR_STYLE.search(page), url
        checked += 1
    assert checked >= 3


@pytest.mark.django_db
def test_session_cookie_is_httponly_and_samesite(client, people):
    client.post(reverse("account_login"), {"login": people["student"].email, "password": "a-long-test-password-1"})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_cookies_are_secure():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    result = run(["-c", script], **PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "True"]


def test_production_refuses_the_development_key_for_a_public_host_even_in_debug():
    result = run(["manage.py", "check"], DJANGO_DEBUG="true", DJANGO_ALLOWED_HOSTS="careers.example.org")
    assert result.returncode == 2
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_site_url():
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run(["manage.py", "check"], **env)
    assert result.returncode == 2
    assert "set SITE_URL" in result.stderr
