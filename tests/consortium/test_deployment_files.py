"""docker-compose.yml and .env.example, read and checked against the settings (Docker does not run here)."""

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "consortium" / "settings.py").read_text()
ENV_EXAMPLE = {
    line.split("=", 1)[0]
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line and not line.startswith("#")
}
APP_SERVICES = ("web", "worker", "beat")


def test_compose_has_the_whole_stack():
    assert set(COMPOSE["services"]) == {"web", "worker", "beat", "db", "redis"}
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:15")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:7")


def test_compose_commands_start_the_right_processes():
    services = COMPOSE["services"]
    assert "gunicorn consortium.wsgi:application --preload" in services["web"]["command"]
    assert "manage.py migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A consortium worker")
    assert services["beat"]["command"].startswith("celery -A consortium beat")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]


def test_app_services_point_at_the_compose_database_and_broker():
    db = COMPOSE["services"]["db"]["environment"]
    for name in APP_SERVICES:
        service = COMPOSE["services"][name]
        env = service["environment"]
        database = urlparse(env["DATABASE_URL"])
        assert (database.hostname, database.username, database.password, database.path) == (
            "db",
            db["POSTGRES_USER"],
            db["POSTGRES_PASSWORD"],
            "/" + db["POSTGRES_DB"],
        )
        assert urlparse(env["CELERY_BROKER_URL"]).hostname == "redis"
        assert env["DJANGO_DEBUG"] == "false"
        assert set(service["depends_on"]) == {"db", "redis"}


def test_every_variable_compose_sets_is_a_documented_setting():
    env = COMPOSE["services"]["web"]["environment"]
    for name in env:
        assert name in ENV_EXAMPLE, f"{name} is set in docker-compose.yml but not documented in .env.example"
        assert f'"{name}"' in SETTINGS_SOURCE, f"{name} is set in docker-compose.yml but settings.py never reads it"


def test_every_variable_settings_reads_is_documented():
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', SETTINGS_SOURCE))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', SETTINGS_SOURCE))
    assert read, "the pattern found no settings at all"
    assert read - ENV_EXAMPLE == set()
