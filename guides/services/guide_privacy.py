"""The country guides' privacy provider: what a person wrote, approved and reviewed.

Erasure keeps the guides' text, which belongs to the consortium's readers, and drops the person
from it: authorship, approvals and reviews become anonymous, editor invitations end, and their
open drafts are discarded (nobody else may finish someone's draft).
"""

from django.db import transaction

from ..models import DraftStatus, GuideDraft, GuideEditor, GuideRevision, GuideSection
from ..models.country_guides import OPEN_DRAFT_STATUSES


def export_guides_data(user) -> dict:
    return {
        "drafts": list(
            GuideDraft.objects.filter(author=user)
            .order_by("created_at", "pk")
            .values("edition__guide__country", "edition__language", "status", "note", "content", "created_at")
        ),
        "revisions_written": list(
            GuideRevision.objects.filter(author=user)
            .order_by("published_at", "pk")
            .values("edition__guide__country", "edition__language", "number", "note", "published_at")
        ),
        "revisions_approved": list(
            GuideRevision.objects.filter(approved_by=user)
            .order_by("published_at", "pk")
            .values("edition__guide__country", "edition__language", "number", "published_at")
        ),
        "drafts_reviewed": list(
            GuideDraft.objects.filter(reviewed_by=user)
            .order_by("reviewed_at", "pk")
            .values("edition__guide__country", "edition__language", "review_comment", "reviewed_at")
        ),
        "sections_reviewed": list(
            GuideSection.objects.filter(last_reviewed_by=user)
            .order_by("last_reviewed_at", "pk")
            .values("edition__guide__country", "edition__language", "key", "last_reviewed_at")
        ),
        "editor_of": list(
            GuideEditor.objects.filter(user=user).order_by("created_at", "pk").values("guide__country", "created_at")
        ),
    }


@transaction.atomic
def erase_guides_data(user) -> None:
    GuideDraft.objects.filter(author=user, status__in=OPEN_DRAFT_STATUSES).update(status=DraftStatus.DISCARDED)
    GuideDraft.objects.filter(author=user).update(author=None)
    GuideDraft.objects.filter(reviewed_by=user).update(reviewed_by=None)
    GuideRevision.objects.filter(author=user).update(author=None)
    GuideRevision.objects.filter(approved_by=user).update(approved_by=None)
    GuideSection.objects.filter(last_reviewed_by=user).update(last_reviewed_by=None)
    GuideEditor.objects.filter(invited_by=user).update(invited_by=None)
    GuideEditor.objects.filter(user=user).delete()
