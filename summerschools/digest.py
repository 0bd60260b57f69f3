"""Summer schools' section of the weekly digest: calls for students that opened this week."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortium.models import Role
from consortium.services.digests import MAX_ITEMS_PER_SECTION, DigestBatch, DigestItem

from .models import Edition


def open_calls(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    """Published editions whose call opened, or was announced, in the week and is still open; the same
    list for every student, in one query."""
    students = batch.holding(Role.STUDENT)
    if not students:
        return {}
    new = Q(call_opens_at__gte=batch.start, call_opens_at__lt=batch.end) | Q(
        created_at__gte=batch.start, created_at__lt=batch.end, call_opens_at__lt=batch.end
    )
    editions = (
        Edition.objects.published()
        .filter(new, call_closes_at__gt=batch.end)
        .order_by("call_closes_at", "pk")[:MAX_ITEMS_PER_SECTION]
    )
    items = [
        DigestItem(
            title=f"{edition.title} · {edition.city}",
            url=edition.get_absolute_url(),
            detail=_("applications close"),
            when=edition.call_closes_at,
        )
        for edition in editions
    ]
    return {student.pk: items for student in students} if items else {}
