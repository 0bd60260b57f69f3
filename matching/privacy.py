"""Matching's privacy provider: the profile, introductions and their messages, offers, blocks and reports."""

from django.db.models import Q

from .models import (
    Block,
    CooperationOffer,
    Dismissal,
    Introduction,
    IntroductionMessage,
    MatchingProfile,
    Recommendation,
    UserReport,
)


def export_matching_data(user) -> dict:
    profile = MatchingProfile.objects.filter(user=user).values(
        "headline", "bio", "topics", "sectors", "fields_of_study", "skills", "countries", "looks_for", "offers",
        "intros_per_month", "visibility", "created_at", "updated_at",
    ).first()  # fmt: skip
    return {
        "profile": profile,
        "introductions": list(
            Introduction.objects.filter(Q(sender=user) | Q(recipient=user))
            .order_by("created_at", "pk")
            .values("sender__full_name", "recipient__full_name", "message", "status", "created_at", "responded_at")
        ),
        "messages": list(
            IntroductionMessage.objects.filter(author=user).order_by("created_at", "pk").values("body", "created_at")
        ),
        "cooperation_offers": list(
            CooperationOffer.objects.filter(owner=user)
            .order_by("created_at", "pk")
            .values("kind", "title", "summary", "sought", "seeks", "topics", "expires_at", "closed_at", "created_at")
        ),
        "blocked": list(Block.objects.filter(blocker=user).values("blocked__full_name", "created_at")),
        "reports": list(UserReport.objects.filter(reporter=user).values("reason", "created_at")),
    }


def erase_matching_data(user) -> None:
    """Delete the profile (with its recommendations and index rows), the person's offers, the
    introductions they are in with their threads, their blocks and dismissals; keep the reports they
    made or received for the admins, without the names."""
    Recommendation.objects.filter(user=user).delete()
    MatchingProfile.objects.filter(user=user).delete()
    CooperationOffer.objects.filter(owner=user).delete()
    Introduction.objects.filter(Q(sender=user) | Q(recipient=user)).delete()
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
    Dismissal.objects.filter(user=user).delete()
    UserReport.objects.filter(reporter=user).update(reporter=None)
    UserReport.objects.filter(reported=user).update(reported=None)
