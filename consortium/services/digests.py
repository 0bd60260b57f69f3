"""The weekly digest: what the network did for each person this week, in one e-mail.

Each app contributes sections through consortium.registry.register_digest_provider; the core
batches the people, asks every provider once per batch, and sends one e-mail per person and ISO
week. A row per (person, week) is written before the e-mail goes out, so a re-run or a retry
sends nothing twice, and a batch cut short by a killed worker is finished by the next run.
"""

import contextlib
import datetime
import logging
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Max, Min, Prefetch, Q
from django.utils import timezone
from django.utils.functional import lazy
from django_countries.fields import Country

from .. import mail
from ..access import has_role
from ..models import Channel, DigestDelivery, DigestStatus, NotificationPreference, Role, User
from ..registry import DIGEST_INTERESTS, DIGEST_PROVIDERS, IMPACT_COUNTERS, NOTIFICATION_KINDS
from .notifications import PERMANENT_MAIL_ERRORS, channels_for

logger = logging.getLogger(__name__)

DIGEST_KIND = "digest.weekly"
MAX_ITEMS_PER_SECTION = 10
# A digest that failed this often in its week is given up: the next week's digest tells the rest.
MAX_ATTEMPTS = 5
FIGURES_CACHE_SECONDS = 24 * 3600


# Sections are built for a whole batch and written later in each reader's language: their words must
# stay lazy until then (gettext_lazy, and this for country names).
country_name = lazy(lambda code: str(Country(code).name), str)


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str = ""
    detail: str = ""
    when: datetime.datetime | None = None

    @property
    def absolute_url(self) -> str:
        return settings.SITE_URL + self.url if self.url.startswith("/") else self.url


@dataclass
class DigestBatch:
    """What a provider receives: the people of one batch, the week's bounds, and their interests."""

    users: list[User]
    start: datetime.datetime
    end: datetime.datetime
    interests: dict[int, dict[str, set[str]]] = field(default_factory=dict)

    def countries(self, user: User) -> set[str]:
        """Countries a person follows (their matching profile's, say), and their institution's."""
        countries = set(self.interests.get(user.pk, {}).get("countries", ()))
        if user.institution_id:
            countries.add(user.institution.country.code)
        return countries

    def fields_of_study(self, user: User) -> set[str]:
        return set(self.interests.get(user.pk, {}).get("fields_of_study", ()))

    def holding(self, *roles: str) -> list[User]:
        return [user for user in self.users if has_role(user, *roles)]


@dataclass
class Digest:
    user: User
    period: str
    start: datetime.datetime
    end: datetime.datetime
    sections: list[tuple[str, list[DigestItem]]]
    # For partner admins: (label, their institution's figure, the consortium's).
    figures: list[tuple[str, int, int]] = field(default_factory=list)

    def item_count(self) -> int:
        return sum(len(items) for _title, items in self.sections) + len(self.figures)


# The week


def period_of(moment: datetime.datetime) -> str:
    year, week, _weekday = moment.astimezone(datetime.UTC).isocalendar()
    return f"{year}-W{week:02d}"


def period_window(period: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The seven days a week's digest covers: up to the moment it is due (DIGEST_WEEKDAY at DIGEST_HOUR, UTC)."""
    year, _w, week = period.partition("-W")
    day = datetime.date.fromisocalendar(int(year), int(week), settings.DIGEST_WEEKDAY)
    end = datetime.datetime.combine(day, datetime.time(settings.DIGEST_HOUR), datetime.UTC)
    return end - datetime.timedelta(days=7), end


def due_period(now: datetime.datetime) -> str | None:
    """The week whose digest should go out now: from its due moment for a day, then no more, so that
    a late run does not send last week's news. That day can run past midnight into the next ISO week
    (due on a Sunday evening, say), so the week before is looked at too."""
    for period in (period_of(now), period_of(now - datetime.timedelta(days=1))):
        _start, due = period_window(period)
        if due <= now < due + datetime.timedelta(days=1):
            return period
    return None


# Who receives it


def _recipients(first_pk: int, last_pk: int) -> list[User]:
    """Active people with primary keys in [first_pk, last_pk) whose choices let the digest reach them
    by e-mail: staff unless they opted out, students only once they opted in. People of an
    institution that left the consortium are left out: its staff no longer work for the network, and
    the network's news is no longer theirs. Three queries."""
    kind = NOTIFICATION_KINDS[DIGEST_KIND]
    people = (
        User.objects.filter(pk__gte=first_pk, pk__lt=last_pk, is_active=True)
        .filter(Q(institution__isnull=True) | Q(institution__is_active=True))
        .select_related("institution")
        .prefetch_related(
            "role_assignments",
            Prefetch(
                "notification_preferences",
                queryset=NotificationPreference.objects.filter(kind=DIGEST_KIND),
                to_attr="digest_preferences",
            ),
        )
        .order_by("pk")
    )
    return [
        person
        for person in people
        if Channel.EMAIL in channels_for(person, kind, next(iter(person.digest_preferences), None))
    ]


# What it says


def _interests(users: list[User]) -> dict[int, dict[str, set[str]]]:
    merged: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for source in DIGEST_INTERESTS:
        for user_id, interests in source(users).items():
            for name, values in interests.items():
                merged[user_id][name] |= set(values)
    return merged


def _figures(users: list[User], period: str, start, end) -> dict[int, list[tuple[str, int, int]]]:
    """Each partner admin's institution next to the consortium. A figure is counted once per run, not
    per chunk: kept in the cache for the day the week's digest goes out."""
    admins = [user for user in users if has_role(user, Role.PARTNER_ADMIN) and user.institution_id]
    if not admins or not IMPACT_COUNTERS:
        return {}
    counters = sorted(IMPACT_COUNTERS.values(), key=lambda c: (c.order, c.name))
    scopes = [None, *sorted({admin.institution_id for admin in admins})]
    keys = {(c.name, scope): f"digest-figure:{period}:{c.name}:{scope or 'all'}" for c in counters for scope in scopes}
    cached = cache.get_many(keys.values())
    counts, fresh = {}, {}
    for (name, scope), key in keys.items():
        if key not in cached:
            fresh[key] = IMPACT_COUNTERS[name].count(start, end, scope)
        counts[name, scope] = cached.get(key, fresh.get(key))
    cache.set_many(fresh, timeout=FIGURES_CACHE_SECONDS)
    figures = {}
    for admin in admins:
        rows = [(c.label, counts[c.name, admin.institution_id], counts[c.name, None]) for c in counters]
        if any(own or total for _label, own, total in rows):
            figures[admin.pk] = rows
    return figures


def build_digests(users: list[User], period: str) -> dict[int, Digest]:
    """The digests of a batch of people, by user id; those with nothing to read are left out.

    A fixed number of queries whatever the batch holds: one per interest source and provider, and
    for partner admins, the first time in a run, one per impact counter and institution."""
    start, end = period_window(period)
    batch = DigestBatch(users=users, start=start, end=end, interests=_interests(users))
    sections: dict[int, list] = defaultdict(list)
    for provider in sorted(DIGEST_PROVIDERS.values(), key=lambda p: (p.order, p.name)):
        for user_id, items in provider.build(batch).items():
            if items:
                sections[user_id].append((provider.title, items[:MAX_ITEMS_PER_SECTION]))
    figures = _figures(users, period, start, end)
    digests = {}
    for user in users:
        if sections.get(user.pk) or figures.get(user.pk):
            digests[user.pk] = Digest(user, period, start, end, sections.get(user.pk, []), figures.get(user.pk, []))
    return digests


# Sending


@contextlib.contextmanager
def _chunk_lock(period: str, first_pk: int):
    """Whether this process may send a chunk: two runs of one chunk at once (a redelivered task while
    the first still works) must not both send it. A PostgreSQL session lock, released when the chunk
    ends or its worker's connection dies; SQLite (development) runs one worker."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(period.encode()) & 0x7FFFFFFF
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, first_pk])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, first_pk])


def queue_digest_chunk(*, period: str, first_pk: int, last_pk: int) -> list[tuple[int, Digest]]:
    """Build the digests of the people with primary keys in [first_pk, last_pk) and write their rows;
    return (row id, digest) of those to send now. A fixed number of queries whatever the chunk holds.

    People whose digest for the period was sent or skipped are not built again; rows left pending by
    an earlier run are built again and returned with the new ones."""
    people = _recipients(first_pk, last_pk)
    ids = [person.pk for person in people]
    in_chunk = DigestDelivery.objects.filter(period=period, user_id__gte=first_pk, user_id__lt=last_pk)
    rows = dict(in_chunk.values_list("user_id", "status"))
    # Someone who opted out after their row was written no longer gets that digest.
    in_chunk.filter(status=DigestStatus.PENDING).exclude(user_id__in=ids).update(status=DigestStatus.SKIPPED)
    todo = [person for person in people if rows.get(person.pk, DigestStatus.PENDING) == DigestStatus.PENDING]
    digests = build_digests(todo, period)
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(
                user=person,
                period=period,
                status=DigestStatus.PENDING if person.pk in digests else DigestStatus.SKIPPED,
                items=digests[person.pk].item_count() if person.pk in digests else 0,
            )
            for person in todo
            if person.pk not in rows
        ],
        ignore_conflicts=True,
    )
    # A pending row whose news has gone (the jobs closed, say) has nothing left to send.
    in_chunk.filter(status=DigestStatus.PENDING, user_id__in=[p.pk for p in todo if p.pk not in digests]).update(
        status=DigestStatus.SKIPPED
    )
    pending = in_chunk.filter(status=DigestStatus.PENDING, user_id__in=list(digests)).values_list("pk", "user_id")
    return [(row_id, digests[user_id]) for row_id, user_id in pending]


def send_digests(queued: list[tuple[int, Digest]]) -> dict[str, int]:
    """Send each digest whose row is still pending and mark it; two queries per e-mail.

    Each row is claimed first: locked, still pending, in a transaction that marks it sent once the
    mail server took the message. Another run holding it skips it, and one that finds it sent
    afterwards sends nothing, whatever chunks the two runs cut. A worker killed mid-send leaves it
    pending for the next run, so at most that one message goes out twice; so does a worker's time
    limit. A transient error leaves it pending too, for the next run, up to MAX_ATTEMPTS, and drops
    the mail server's connection, which may be the broken part: the next message opens a new one.
    A refusal marks it failed.
    """
    counts = defaultdict(int)
    with get_connection() as mail_connection:
        for row_id, digest in queued:
            with transaction.atomic():
                row = (
                    DigestDelivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=row_id, status=DigestStatus.PENDING)
                    .first()
                )
                if row is None:
                    counts["taken"] += 1
                    continue
                row.attempts += 1
                try:
                    mail_connection.open()
                    mail.digest_email(digest, connection=mail_connection).send()
                except SoftTimeLimitExceeded:
                    raise
                except Exception as error:
                    transient = isinstance(error, OSError) and not isinstance(error, PERMANENT_MAIL_ERRORS)
                    logger.warning("Digest %s for user %s failed: %r", digest.period, digest.user.pk, error)
                    if transient:
                        # Saying goodbye to a server that already hung up may fail too: it is gone either way.
                        with contextlib.suppress(OSError):
                            mail_connection.close()
                    row.last_error = repr(error)[:500]
                    if not transient or row.attempts >= MAX_ATTEMPTS:
                        row.status = DigestStatus.FAILED
                    counts["retry" if transient else "failed"] += 1
                else:
                    row.status, row.sent_at = DigestStatus.SENT, timezone.now()
                    counts["sent"] += 1
                row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return dict(counts)


def send_digest_chunk(*, period: str, first_pk: int, last_pk: int) -> dict[str, int]:
    """Build, queue and send the digests of one chunk of people. Idempotent; a second run of the
    same chunk while the first still works returns at once."""
    with _chunk_lock(period, first_pk) as acquired:
        if not acquired:
            return {"busy": 1}
        queued = queue_digest_chunk(period=period, first_pk=first_pk, last_pk=last_pk)
        return {"built": len(queued), **send_digests(queued)}


def plan_digest_chunks(*, chunk_size: int | None = None) -> list[tuple[int, int]]:
    """Primary-key ranges [k·size, (k+1)·size) covering everyone active: the chunks one run sends.
    The grid is fixed on 0, not on the lowest person, so that two runs of a week cut the same chunks
    (and take the same chunk locks) whoever joined or left in between."""
    size = chunk_size or settings.DIGEST_CHUNK_SIZE
    bounds = User.objects.filter(is_active=True).aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return []
    return [(low, low + size) for low in range(bounds["first"] // size * size, bounds["last"] + 1, size)]
