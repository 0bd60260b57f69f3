"""Training's section of the weekly digest: staff training weeks whose registration opened this week."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.services.digests import MAX_ITEMS_PER_SECTION, DigestBatch, DigestItem

from .models import PARTICIPANT_ROLES, TrainingWeek


def open_training_weeks(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    """Published weeks still open for registration whose registration opened, or which were
    announced, in the week; the same list for every member of staff, in one query."""
    staff = [user for user in batch.holding(*PARTICIPANT_ROLES) if user.institution_id]
    if not staff:
        return {}
    new = Q(registration_opens_at__gte=batch.start, registration_opens_at__lt=batch.end) | Q(
        created_at__gte=batch.start, created_at__lt=batch.end, registration_opens_at__lt=batch.end
    )
    weeks = (
        TrainingWeek.objects.published()
        .filter(new, registration_closes_at__gt=batch.end)
        .select_related("host")
        .order_by("registration_closes_at", "pk")[:MAX_ITEMS_PER_SECTION]
    )
    items = [
        DigestItem(
            title=f"{week.title} · {week.host.short_name}",
            url=week.get_absolute_url(),
            detail=_("registration closes"),
            when=week.registration_closes_at,
        )
        for week in weeks
    ]
    return {user.pk: items for user in staff} if items else {}
