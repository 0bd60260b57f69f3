"""The weekly digest on a real Celery worker on Redis, SIGKILLed mid-run, restarted, and the run repeated."""

import os
import signal
import time
import uuid

import pytest
from amqp.exceptions import ChannelError
from django.conf import settings

from consortium.celery import app as celery_app
from consortium.models import DigestDelivery, DigestStatus, Role, SupportRequest
from consortium.services.digests import plan_digest_chunks
from consortium.tasks import send_digest_chunk
from tests.consortium.test_delivery_worker import start_worker, wait_for
from tests.factories import InstitutionFactory

PEOPLE = 30
CHUNK = 10
PERIOD = "2026-W40"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def queue_the_run(queue, *sizes):
    """What send_weekly_digests does, on the test's own queue: one chunk task per range of people.
    With several chunk sizes, the runs of each, their chunks interleaved."""
    chunks = sorted({chunk for size in sizes or [CHUNK] for chunk in plan_digest_chunks(chunk_size=size)})
    for first_pk, last_pk in chunks:
        send_digest_chunk.apply_async(args=[PERIOD, first_pk, last_pk], queue=queue)


def drop_waiting_messages(queue) -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def waiting_messages(queue) -> int:
    with celery_app.connection_for_write() as connection:
        try:
            return connection.default_channel.queue_declare(queue, passive=True).message_count
        except ChannelError:  # Redis drops an empty queue's list
            return 0


def test_a_killed_worker_loses_no_digest_and_sends_at_most_one_twice(tmp_path, make_user, home, monkeypatch):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs a Redis broker: set CELERY_BROKER_URL (CI does)")
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    queue = f"test-digests-{uuid.uuid4().hex[:8]}"
    officers = [make_user(Role.CAREER_OFFICER, email=f"officer{n}@up.example") for n in range(PEOPLE)]
    # Something for every officer's digest: a request waiting on their institution.
    SupportRequest.objects.create(
        requesting_institution=InstitutionFactory(country="DE"),
        target_institution=home,
        target_country="ES",
        category="visa",
        subject="Work permit for a graduate",
        question="…",
    )
    queue_the_run(queue)

    def sent_files():
        return list(tmp_path.glob("*.eml"))

    first = start_worker(queue, tmp_path, "first")
    try:
        assert wait_for(lambda: len(sent_files()) >= PEOPLE // 3, 60), "the first worker sent nothing"
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        first.wait(10)
    assert len(sent_files()) < PEOPLE, "the kill came too late to land mid-run"

    # The first run's waiting chunks are lost (a broker restart), and the hourly pass repeats the
    # run twice over, once as an operator changed the chunk size: two workers send chunks that
    # overlap under different chunk locks, so that only each row's claim keeps a digest from going
    # out twice.
    drop_waiting_messages(queue)
    queue_the_run(queue, CHUNK, CHUNK - 3)
    second, third = start_worker(queue, tmp_path, "second"), start_worker(queue, tmp_path, "third")
    try:
        all_sent = wait_for(lambda: DigestDelivery.objects.filter(status=DigestStatus.SENT).count() == PEOPLE, 120)
        # The run again, as the hourly pass on the due day repeats it: nothing more goes out.
        queue_the_run(queue)
        assert wait_for(lambda: waiting_messages(queue) == 0, 60)
        time.sleep(2)
    finally:
        for worker in (second, third):
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in (second, third):
            worker.wait(30)
    assert all_sent, f"only {DigestDelivery.objects.filter(status='sent').count()} of {PEOPLE} were marked sent"

    per_recipient = {officer.email: 0 for officer in officers}
    for path in sent_files():
        per_recipient[path.name.split("--")[0]] += 1
    assert min(per_recipient.values()) >= 1, "a digest was lost"
    twice = sum(count > 1 for count in per_recipient.values())
    assert twice <= 1, f"{twice} people got two digests after one killed worker"
    assert max(per_recipient.values()) <= 2
    assert DigestDelivery.objects.count() == PEOPLE
