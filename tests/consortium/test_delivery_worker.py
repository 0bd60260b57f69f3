"""A real Celery worker on Redis, SIGKILLed in the middle of a batch of e-mails, then restarted."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from consortium.celery import app as celery_app
from consortium.models import Channel, Delivery, Notification, Role
from consortium.tasks import deliver_email

ROOT = Path(__file__).resolve().parents[2]
BATCH = 30

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def start_worker(queue, mail_dir, name):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "WORKER_MAIL_DIR": str(mail_dir),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "consortium",
        "worker",
        "-Q",
        queue,
        "-n",
        f"{name}@%h",
        "--concurrency=1",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    # Its own process group, so that one kill takes the main process and its pool child together.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_killed_worker_loses_no_email_and_sends_at_most_one_twice(tmp_path, make_user, monkeypatch):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a Redis broker: set CELERY_BROKER_URL (CI does)")
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    queue = f"test-deliveries-{uuid.uuid4().hex[:8]}"
    people = [make_user(Role.CAREER_OFFICER, email=f"officer{n}@up.example") for n in range(BATCH)]
    deliveries = []
    for person in people:
        notification = Notification.objects.create(
            recipient=person, kind="account.roles_changed", title="Your roles changed", dedupe_key="batch"
        )
        deliveries.append(
            Delivery.objects.create(recipient=person, notification=notification, channel=Channel.EMAIL, dedupe_key="b")
        )
    for delivery in deliveries:
        deliver_email.apply_async(args=[delivery.pk], queue=queue)

    def sent_files():
        return list(tmp_path.glob("*.eml"))

    first = start_worker(queue, tmp_path, "first")
    try:
        assert wait_for(lambda: len(sent_files()) >= BATCH // 3, 60), "the first worker sent nothing"
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        first.wait(10)
    sent_before_restart = len(sent_files())
    assert sent_before_restart < BATCH, "the kill came too late to land mid-batch"

    second = start_worker(queue, tmp_path, "second")
    try:
        all_sent = wait_for(lambda: Delivery.objects.filter(status="sent").count() == BATCH, 120)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    assert all_sent, f"only {Delivery.objects.filter(status='sent').count()} of {BATCH} were marked sent"

    per_recipient = {person.email: 0 for person in people}
    for path in sent_files():
        per_recipient[path.name.split("--")[0]] += 1
    assert min(per_recipient.values()) >= 1, "an e-mail was lost"
    duplicates = sum(per_recipient.values()) - BATCH
    assert duplicates <= 1, f"{duplicates} duplicates after one killed worker"
