"""Demo profiles and offers for `manage.py seed_demo`, saved through the services like real ones.

The walk-through it sets up: Camille, a student in Paris (PSB), looks for a mentor in fintech; Elena
Navarro, a fintech entrepreneur linked to UAM in Madrid, offers mentoring.
"""

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from consortium.models import Institution, Role, RoleAssignment, User

from .models import CooperationOffer, Intent, OfferKind, Visibility
from .services import recompute_recommendations, save_offer, save_profile
from .skills import load_esco_skills

ENTREPRENEUR_EMAIL = "elena.navarro@fintech-madrid.example"

# email: (headline, looks for, offers, topics, languages, visibility)
DEMO_PROFILES = {
    "student@psbedu.paris": (
        "Business student in Paris, building a payments app for students",
        [Intent.MENTOR, Intent.CO_FOUNDER],
        [Intent.PROJECT_STUDENTS],
        ["fintech", "payments"],
        [("fr", "C2"), ("en", "C1"), ("es", "B1")],
        Visibility.CONSORTIUM,
    ),
    ENTREPRENEUR_EMAIL: (
        "Founder of a Madrid fintech start-up; mentor for first-time founders",
        [Intent.PROJECT_STUDENTS],
        [Intent.MENTOR, Intent.ADVICE, Intent.INTERNSHIP],
        ["fintech", "payments", "start-ups"],
        [("es", "C2"), ("en", "C1"), ("fr", "B1")],
        Visibility.CONSORTIUM,
    ),
    "academic@uam.es": (
        "Professor of renewable energy systems",
        [Intent.RESEARCH_PARTNER, Intent.PROJECT_STUDENTS],
        [Intent.MENTOR, Intent.RESEARCH_PARTNER],
        ["renewable energy", "energy storage"],
        [("es", "C2"), ("en", "C1")],
        Visibility.CONSORTIUM,
    ),
    "academic@psbedu.paris": (
        "Researcher in digital finance and financial inclusion",
        [Intent.RESEARCH_PARTNER],
        [Intent.ADVICE, Intent.RESEARCH_PARTNER],
        ["fintech", "financial inclusion"],
        [("fr", "C2"), ("en", "C1")],
        Visibility.CONSORTIUM,
    ),
    "student@uam.es": (
        "Engineering student interested in solar start-ups",
        [Intent.MENTOR, Intent.INTERNSHIP],
        [],
        ["renewable energy", "start-ups"],
        [("es", "C2"), ("en", "B2")],
        Visibility.CONSORTIUM,
    ),
}


def _entrepreneur() -> User:
    """An external stakeholder linked to UAM: a company contact who founded a fintech start-up."""
    user, created = User.objects.get_or_create(
        email=ENTREPRENEUR_EMAIL,
        defaults={
            "full_name": "Elena Navarro",
            "institution": Institution.objects.get(slug="uam"),
            "preferred_language": "es",
            "time_zone": "Europe/Madrid",
        },
    )
    if created:
        from consortium.management.commands.seed_demo import DEMO_PASSWORD

        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.COMPANY_CONTACT)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def seed_demo_matching() -> None:
    """Idempotent: profiles are saved again, the offer found again by its title."""
    load_esco_skills()
    _entrepreneur()
    users = []
    for email, (headline, looks_for, offers, topics, languages, visibility) in DEMO_PROFILES.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        save_profile(
            user=user, headline=headline, looks_for=looks_for, offers=offers, topics=topics, languages=languages,
            visibility=visibility, intros_per_month=5,
        )  # fmt: skip
        users.append(user)
    owner = User.objects.filter(email="academic@uam.es").first()
    if owner is not None:
        title = "Storing solar power in old EV batteries"
        offer = CooperationOffer.objects.filter(owner=owner, title=title).first()
        save_offer(
            by=owner,
            offer=offer,
            kind=OfferKind.RESEARCH,
            title=title,
            summary="A second life for electric-vehicle batteries as home storage for rooftop solar panels.",
            sought="A research partner with battery-testing facilities, and master's students for field trials.",
            seeks=[Intent.RESEARCH_PARTNER, Intent.PROJECT_STUDENTS],
            topics=["renewable energy", "energy storage"],
            expires_at=timezone.now() + datetime.timedelta(days=60),
        )
    # The tasks enqueued on commit may run later; the demo shows recommendations straight away.
    for user in users:
        recompute_recommendations(user=user)
