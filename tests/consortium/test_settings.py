"""Settings come from the environment; production refuses unsafe ones and sends strict headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "careers.example.org",
}
HEADERS_SCRIPT = """
import django
django.setup()
from django.test import Client
# A page that needs neither the database nor collected static files.
response = Client().get("/api/schema/", secure=True, headers={"host": "careers.example.org"})
print(response.status_code)
for name in ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
             "X-Frame-Options", "Referrer-Policy"):
    print(f"{name}: {response.headers.get(name)}")
"""


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(DJANGO_SETTINGS_MODULE="consortium.settings", VAR_DIR=str(ROOT / "var" / "test-settings"), **env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_with_the_development_secret_key():
    result = run(["manage.py", "check"], DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="careers.example.org")
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
    assert lines[0] == "200"
    assert "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload" in lines
    assert "X-Content-Type-Options: nosniff" in lines
    assert "X-Frame-Options: DENY" in lines
    csp = next(line for line in lines if line.startswith("Content-Security-Policy"))
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_pages_use_no_inline_script(client):
    page = client.get("/").content.decode()
    assert "<script>" not in page and " onclick=" not in page and " style=" not in page


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(client, settings):
    from django.conf import settings as live

    assert live.SESSION_COOKIE_HTTPONLY is True
    assert live.SESSION_COOKIE_SAMESITE == "Lax" and live.CSRF_COOKIE_SAMESITE == "Lax"
