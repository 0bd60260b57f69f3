"""The core's sections of the weekly digest: the support desk and the knowledge base, for officers."""

from collections import defaultdict

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import KnowledgeArticle, LiaisonNomination, Role, SupportRequest, SupportStatus
from .permissions import can_use_support_desk
from .services.digests import MAX_ITEMS_PER_SECTION, DigestBatch, DigestItem, country_name

# Requests nobody at the partner is working on yet: the ones a digest should put in front of officers.
WAITING_STATUSES = (SupportStatus.OPEN, SupportStatus.REOPENED)


def _most_urgent_waiting(requests, partition: str, detail) -> dict[int, list[tuple]]:
    """The first MAX_ITEMS_PER_SECTION waiting requests of each `partition` value, most urgent first,
    as (sort key, item); one query."""
    most_urgent = [F("first_response_due_at").asc(nulls_last=True), F("pk").asc()]
    rows = (
        requests.filter(status__in=WAITING_STATUSES)
        .annotate(nth=Window(RowNumber(), partition_by=F(partition), order_by=most_urgent))
        .filter(nth__lte=MAX_ITEMS_PER_SECTION)
        .only("pk", "subject", partition, "first_response_due_at")
        .order_by(*most_urgent)
    )
    found = defaultdict(list)
    now = timezone.now()
    for request in rows:
        due = request.first_response_due_at
        item = DigestItem(
            title=request.subject,
            url=request.get_absolute_url(),
            # A request already past its deadline says so: it is the one to answer first.
            detail=_("overdue: an answer was due") if due is not None and due < now else detail,
            when=due,
        )
        found[getattr(request, partition)].append(
            ((request.first_response_due_at is None, item.when, request.pk), item)
        )
    return found


def waiting_support_requests(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    """The requests waiting on each officer's institution, and for liaison officers those waiting in
    the shared queue that their institution did not ask (permissions.is_support_target_staff); the
    most urgent first; three queries."""
    officers = [user for user in batch.holding(Role.CAREER_OFFICER) if can_use_support_desk(user)]
    institutions = {officer.institution_id for officer in officers}
    if not institutions:
        return {}
    own = _most_urgent_waiting(
        SupportRequest.objects.filter(target_institution_id__in=institutions), "target_institution_id", _("answer due")
    )
    liaisons = set(
        LiaisonNomination.objects.active()
        .filter(officer__in=officers, institution_id=F("officer__institution_id"))
        .values_list("officer_id", flat=True)
    )
    shared = {}
    if liaisons:
        # Per asking institution, so that each liaison officer still has ten once their own are left out.
        shared = _most_urgent_waiting(
            SupportRequest.objects.filter(in_shared_queue=True, target_institution__isnull=True),
            "requesting_institution_id",
            _("in the shared queue; answer due"),
        )
    found = {}
    for officer in officers:
        waiting = list(own[officer.institution_id])
        if officer.pk in liaisons:
            for asker, requests in shared.items():
                if asker != officer.institution_id:
                    waiting.extend(requests)
            waiting.sort(key=lambda pair: pair[0])
        found[officer.pk] = [item for _key, item in waiting[:MAX_ITEMS_PER_SECTION]]
    return found


def new_knowledge_articles(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    """Articles published in the week about each officer's countries, newest first; one query."""
    officers = [user for user in batch.holding(Role.CAREER_OFFICER) if can_use_support_desk(user)]
    countries = {officer.pk: batch.countries(officer) for officer in officers}
    wanted = set().union(*countries.values()) if countries else set()
    if not wanted:
        return {}
    newest = [F("published_at").desc(), F("pk").desc()]
    articles = (
        KnowledgeArticle.objects.filter(
            Q(published_at__gte=batch.start) & Q(published_at__lt=batch.end),
            is_published=True,
            country__in=wanted,
        )
        .annotate(nth=Window(RowNumber(), partition_by=F("country"), order_by=newest))
        .filter(nth__lte=MAX_ITEMS_PER_SECTION)
        .only("pk", "title", "country", "published_at")
        .order_by(*newest)
    )
    articles = list(articles)
    return {
        officer.pk: [
            DigestItem(
                title=a.title, url=a.get_absolute_url(), detail=country_name(a.country.code), when=a.published_at
            )
            for a in articles
            if a.country.code in countries[officer.pk]
        ]
        for officer in officers
    }
