"""Saved jobs, saved searches, and the job alerts a saved search sends."""

import datetime
import logging
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Channel, ConsentRecord, User
from consortium.permissions import require
from consortium.registry import NOTIFICATION_KINDS
from consortium.services.notifications import channels_for, notify, set_notification_preferences

from .. import permissions
from ..filters import JobFilter
from ..models import AlertFrequency, AlertSentJob, Job, SavedJob, SavedSearch

logger = logging.getLogger(__name__)

ALERT_KIND = "job.alert"
MAX_SAVED_SEARCHES = 20
# An alert respects the inbox: a short list, and no single company filling it.
MAX_JOBS_PER_ALERT = 10
MAX_JOBS_PER_COMPANY = 2


# Saved jobs


@transaction.atomic
def add_saved_job(*, user: User, job: Job) -> SavedJob:
    """Keep a job the person sees on their list. Saving it again changes nothing."""
    require(permissions.can_save_job(user, job))
    saved, _created = SavedJob.objects.get_or_create(user=user, job=job)
    return saved


@transaction.atomic
def remove_saved_job(*, user: User, job: Job) -> None:
    """Take a job off the person's list, whatever its state now. Removing it again changes nothing."""
    require(permissions.can_keep_saved_items(user))
    SavedJob.objects.visible_to(user).filter(job=job).delete()


# Saved searches


def search_for(query: str, user) -> JobFilter:
    """The search page's search for a stored query string, run as `user` would run it."""
    jobs = Job.objects.visible_to(user).published().select_related("company", "institution")
    # The filters read the searcher (their spoken languages) from the request.
    return JobFilter(QueryDict(query), queryset=jobs, request=SimpleNamespace(user=user))


def clean_query(query: str) -> str:
    """The query string without the page number: a saved search starts on its first page."""
    params = QueryDict(query, mutable=True)
    params.pop("page", None)
    return params.urlencode()


def alert_email_on(user: User) -> bool:
    preference = user.notification_preferences.filter(kind=ALERT_KIND).first()
    return Channel.EMAIL in channels_for(user, NOTIFICATION_KINDS[ALERT_KIND], preference)


def _validate(*, user: User, name: str, query: str | None, frequency: str) -> None:
    """Check a saved search's fields; a query of None (an update, which keeps the query) is not read."""
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the search a name.")
    elif len(name) > SavedSearch._meta.get_field("name").max_length:
        errors["name"] = _("Keep the name under 120 characters.")
    if frequency not in AlertFrequency.values:
        errors["frequency"] = _("Choose daily or weekly.")
    if query is None:
        pass
    elif len(query) > SavedSearch._meta.get_field("query").max_length:
        errors["query"] = _("This search is too long to save.")
    elif not search_for(query, user).is_valid():
        errors["query"] = _("This search has a filter that is not valid. Change it on the search page and save again.")
    if errors:
        raise ValidationError(errors)


def _consent_to_email(user: User) -> None:
    """Turn on alert e-mails for the person, recording their consent, unless they get them already."""
    preference = user.notification_preferences.filter(kind=ALERT_KIND).first()
    current = channels_for(user, NOTIFICATION_KINDS[ALERT_KIND], preference)
    if Channel.EMAIL not in current:
        set_notification_preferences(
            user=user, choices={ALERT_KIND: current | {Channel.EMAIL}}, source=ConsentRecord.Source.OPT_IN_FORM
        )


@transaction.atomic
def save_search(
    *,
    user: User,
    name: str,
    query: str,
    frequency: str = AlertFrequency.WEEKLY,
    is_active: bool = True,
    email: bool = False,
) -> SavedSearch:
    """Save the search page's query string under a name, as an alert when `is_active`; with `email`,
    the person also agrees to receive job alerts by e-mail.

    Locks the person's row, so that two saves at once cannot pass the limit together.
    """
    require(permissions.can_keep_saved_items(user))
    query = clean_query(query)
    _validate(user=user, name=name, query=query, frequency=frequency)
    User.objects.select_for_update().get(pk=user.pk)
    if SavedSearch.objects.visible_to(user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            _("You can keep up to %(limit)d saved searches. Delete one you no longer need to save this one.")
            % {"limit": MAX_SAVED_SEARCHES}
        )
    saved = SavedSearch.objects.create(
        user=user, name=name.strip(), query=query, frequency=frequency, is_active=is_active
    )
    if email:
        _consent_to_email(user)
    return saved


@transaction.atomic
def update_saved_search(
    *,
    saved_search: SavedSearch,
    by: User,
    name: str | None = None,
    frequency: str | None = None,
    is_active: bool | None = None,
) -> SavedSearch:
    """Rename a saved search or change its alert; None leaves a value as it is."""
    require(permissions.can_manage_saved_search(by, saved_search))
    name = saved_search.name if name is None else name
    frequency = saved_search.frequency if frequency is None else frequency
    # The stored query is not checked again: a search whose filter became invalid can still be
    # renamed or have its alert turned off.
    _validate(user=by, name=name, query=None, frequency=frequency)
    saved_search.name = name.strip()
    saved_search.frequency = frequency
    if is_active is not None:
        saved_search.is_active = is_active
    saved_search.save(update_fields=["name", "frequency", "is_active", "updated_at"])
    return saved_search


@transaction.atomic
def delete_saved_search(*, saved_search: SavedSearch, by: User) -> None:
    require(permissions.can_manage_saved_search(by, saved_search))
    saved_search.delete()


# Alerts


def alert_period(frequency: str, now: datetime.datetime) -> str:
    """The day or ISO week an alert run belongs to: one e-mail per alert in each."""
    day = timezone.localdate(now)
    if frequency == AlertFrequency.DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def new_jobs_for(saved_search: SavedSearch) -> list[Job]:
    """The newest jobs of the search its owner may see, published since the alert was made and never
    sent by it: at most MAX_JOBS_PER_COMPANY of a company and MAX_JOBS_PER_ALERT in all, in one query."""
    search = search_for(saved_search.query, saved_search.user)
    if not search.is_valid():
        # A filter that stopped being valid would widen the search: better nothing than noise.
        logger.warning("Saved search %s has an invalid query; its alert is skipped.", saved_search.pk)
        return []
    already_sent = AlertSentJob.objects.filter(saved_search=saved_search).values("job_id")
    matching = (
        search.qs.filter(published_at__gt=saved_search.created_at).exclude(pk__in=already_sent).order_by().values("pk")
    )
    newest_first = [F("published_at").desc(), F("pk").desc()]
    jobs = (
        Job.objects.filter(pk__in=matching)
        .annotate(nth_of_company=Window(RowNumber(), partition_by=F("company_id"), order_by=newest_first))
        .filter(nth_of_company__lte=MAX_JOBS_PER_COMPANY)
        .select_related("company")
        .order_by(*newest_first)
    )
    return list(jobs[:MAX_JOBS_PER_ALERT])


@transaction.atomic
def send_alert(*, saved_search: SavedSearch, period: str, now: datetime.datetime) -> bool:
    """Notify the owner of the new jobs of one alert, once per period; record what was sent with it.

    Safe to run twice, even at once: the notification's dedupe key lets one run through, and only
    that run records the jobs as sent.
    """
    jobs = new_jobs_for(saved_search)
    if not jobs:
        return False
    search_url = reverse("jobs:index") + (f"?{saved_search.query}" if saved_search.query else "")
    created = notify(
        [saved_search.user],
        ALERT_KIND,
        context={
            "saved_search": saved_search,
            "jobs": jobs,
            "site_url": settings.SITE_URL,
            "manage_url": settings.SITE_URL + reverse("jobs:saved-searches"),
            "url": search_url,
        },
        dedupe_key=f"alert:{saved_search.pk}:{period}",
    )
    if not created:
        return False
    AlertSentJob.objects.bulk_create(
        [AlertSentJob(saved_search=saved_search, job=job) for job in jobs], ignore_conflicts=True
    )
    SavedSearch.objects.filter(pk=saved_search.pk).update(last_sent_at=now)
    return True


def send_alerts(*, frequency: str, now: datetime.datetime | None = None) -> int:
    """Send every active alert of a frequency that has new jobs; return how many were sent.

    Each alert is its own transaction, so one that fails leaves the others sent and itself for the
    next run, which picks up its jobs then (they were not recorded as sent).
    """
    now = now or timezone.now()
    period = alert_period(frequency, now)
    alerts = (
        SavedSearch.objects.filter(is_active=True, frequency=frequency, user__is_active=True)
        .select_related("user")
        .prefetch_related("user__role_assignments")
        .order_by("pk")
    )
    sent = 0
    for saved_search in alerts.iterator(chunk_size=500):
        try:
            sent += send_alert(saved_search=saved_search, period=period, now=now)
        except Exception:
            logger.exception("Job alert %s failed; it is tried again on the next run.", saved_search.pk)
    return sent
