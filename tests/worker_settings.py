"""Settings for the Celery worker that tests/consortium/test_delivery_worker.py starts and kills.

Same as the project's, but e-mails are written slowly, one file per message, to a folder the test
reads, and a message left unacknowledged by a killed worker comes back after seconds, not an hour.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from consortium.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.worker_settings.SlowFileBackend"
WORKER_MAIL_DIR = Path(os.environ["WORKER_MAIL_DIR"])
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4, "unacked_restore_interval": 1}


class SlowFileBackend(BaseEmailBackend):
    """Takes a while per message, like a real mail server, so that a kill lands mid-batch."""

    def send_messages(self, messages):
        for message in messages:
            time.sleep(0.25)
            (WORKER_MAIL_DIR / f"{message.to[0]}--{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)
