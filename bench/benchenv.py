"""What every benchmark does first: Django with production settings, on the database DATABASE_URL names."""

import os
import secrets
import sys
from pathlib import Path


def start_django(**environment: str) -> None:
    """Set Django up as deployed (DEBUG would record every query and slow each request), with any
    further environment variables a benchmark needs."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")
    os.environ.update(
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        SITE_URL="http://testserver",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(64),
        **environment,
    )
    # As the web server starts it (consortium/wsgi.py), with what that does to the garbage collector.
    import consortium.wsgi  # noqa: F401
