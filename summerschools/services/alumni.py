"""After the school: the alumni directory (opt-in, a profile is the opt-in) and the ventures founded
by participants, counted for the edition they came from.

An alumnus of an edition is a student whose application was confirmed, whose edition has ended and
whom the organisers have not marked as not having completed it (an unrecorded completion counts:
organisers record it late, if at all). Only an alumnus joins the directory; leaving deletes the
profile, so that nobody appears who has not opted in at that moment.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import is_consortium_admin, is_signed_in
from consortium.models import User
from consortium.permissions import require
from consortium.richtext import render_markdown
from consortium.services.notifications import notify

from .. import permissions
from ..models import AlumniProfile, Application, Edition, EditionStatus, Venture

PROFILE_FIELDS = ("current_role", "organisation", "city", "country", "website")
WEB_SCHEMES = ("http://", "https://")
INVITE_WITHIN_DAYS = 7


# Reads


def participants(edition: Edition) -> QuerySet[User]:
    """The people who took part in an edition, as founders of its ventures are chosen among them."""
    return User.objects.filter(
        Exists(Application.objects.participated().filter(edition=edition, student=OuterRef("pk")))
    ).order_by("full_name", "pk")


def directory(*, q: str = "", edition=None, year=None, country="", institution=None) -> QuerySet[AlumniProfile]:
    """The directory's members, each with `user.alumni_participations` (the editions they took part
    in), in a fixed number of queries whatever the number of members."""
    profiles = AlumniProfile.objects.select_related("user__institution")
    if edition is not None or year:
        taken = Application.objects.alumni().filter(student=OuterRef("user_id"))
        if edition is not None:
            taken = taken.filter(edition=edition)
        if year:
            taken = taken.filter(edition__year=year)
        profiles = profiles.filter(Exists(taken))
    if country:
        profiles = profiles.filter(country=country)
    if institution is not None:
        profiles = profiles.filter(user__institution=institution)
    if q:
        profiles = profiles.filter(
            Q(user__full_name__icontains=q) | Q(current_role__icontains=q) | Q(organisation__icontains=q)
        )
    return profiles.prefetch_related(
        Prefetch(
            "user__summer_school_applications",
            queryset=Application.objects.alumni().select_related("edition").order_by("edition__starts_on"),
            to_attr="alumni_participations",
        )
    ).order_by("user__full_name", "pk")


def ventures() -> QuerySet[Venture]:
    """Ventures of published editions, with their founders and whether each is in the directory."""
    return (
        Venture.objects.filter(edition__status=EditionStatus.PUBLISHED)
        .select_related("edition")
        .prefetch_related(
            Prefetch("founders", queryset=User.objects.select_related("summer_alumni_profile").order_by("full_name"))
        )
        .order_by("-edition__starts_on", "-founded_year", "name", "pk")
    )


def editable_venture_ids(user, ventures: list[Venture]) -> set[int]:
    """Which of these ventures the user may edit (mirrors permissions.can_edit_venture), in one query."""
    if not is_signed_in(user) or not ventures:
        return set()
    return set(
        Venture.objects.filter(pk__in=[v.pk for v in ventures])
        .filter(Q(added_by=user) | Q(founders=user) | Q(edition__organisers=user))
        .values_list("pk", flat=True)
    ) | ({v.pk for v in ventures} if is_consortium_admin(user) else set())


# Writes


def _check_website(url: str) -> None:
    if url and not url.lower().startswith(WEB_SCHEMES):
        raise ValidationError({"website": _("Give a web address starting with http:// or https://.")})


@transaction.atomic
def join_alumni(*, user: User, current_role: str, **fields) -> AlumniProfile:
    """Opt in to the directory; refused to anyone who is not an alumnus or is already a member."""
    require(permissions.can_join_alumni(user))
    if AlumniProfile.objects.filter(user=user).exists():
        raise ValidationError(_("You are in the alumni directory already."))
    _check_website(fields.get("website", ""))
    return AlumniProfile.objects.create(user=user, current_role=current_role, **fields)


@transaction.atomic
def update_alumni_profile(*, profile: AlumniProfile, by: User, **fields) -> AlumniProfile:
    require(profile.user_id == by.pk)
    _check_website(fields.get("website", ""))
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(profile, name, fields[name])
    profile.save()
    return profile


def invite_alumni(*, now: datetime.datetime | None = None) -> int:
    """Invite the participants of schools whose last day is over, within the last week, to the
    directory, those not in it yet; the week lets a missed daily run catch up. Idempotent (one
    invitation per application, by its dedupe key); returns how many invitations were new."""
    now = now or timezone.now()
    # The last day began at least a day ago and at most a week before that, in the school's own zone
    # (days of 24 hours: a clock change moves the edge by an hour, a daily run's business).
    window = (now - datetime.timedelta(days=INVITE_WITHIN_DAYS + 1), now - datetime.timedelta(days=1))
    participations = (
        Application.objects.participated(now)
        .filter(edition__last_day_starts_at__range=window, edition__status=EditionStatus.PUBLISHED)
        .exclude(student__summer_alumni_profile__isnull=False)
        .select_related("edition", "student")
    )
    sent = 0
    for application in participations:
        sent += len(
            notify(
                [application.student],
                "summerschools.alumni_invitation",
                context={"edition": application.edition},
                dedupe_key=f"summerschools.alumni_invitation:{application.pk}",
                target=application,
            )
        )
    return sent


@transaction.atomic
def leave_alumni(*, user: User) -> None:
    """Idempotent: deletes the profile if there is one."""
    AlumniProfile.objects.filter(user=user).delete()


def _check_venture(venture: Venture, founders: list[User]) -> None:
    errors = {}
    edition = venture.edition
    this_year = timezone.localdate().year
    if venture.founded_year is not None:
        if venture.founded_year < edition.year:
            errors["founded_year"] = _("The venture cannot be founded before the summer school (%(year)s).") % {
                "year": edition.year
            }
        elif venture.founded_year > this_year:
            errors["founded_year"] = _("The year founded cannot be in the future.")
    if venture.website and not venture.website.lower().startswith(WEB_SCHEMES):
        errors["website"] = _("Give a web address starting with http:// or https://.")
    if not founders:
        errors["founders"] = _("Choose at least one founder.")
    else:
        allowed = set(participants(edition).filter(pk__in=[f.pk for f in founders]).values_list("pk", flat=True))
        if strangers := [f for f in founders if f.pk not in allowed]:
            errors["founders"] = _("%(names)s did not take part in this summer school.") % {
                "names": ", ".join(f.full_name for f in strangers)
            }
    clash = Venture.objects.filter(edition=edition, name__iexact=venture.name).exclude(pk=venture.pk)
    if venture.name and clash.exists():
        errors["name"] = _("A venture of this edition has this name already.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_venture(*, venture: Venture, founders: list[User], by: User) -> Venture:
    """Create (no pk yet) or update a venture; the founders replace the previous ones."""
    if venture.pk is None:
        require(permissions.can_add_venture(by, venture.edition))
        venture.added_by = by
        if not permissions.is_organiser(by, venture.edition) and not is_consortium_admin(by) and by not in founders:
            # An alumnus records their own venture, not a classmate's.
            raise ValidationError({"founders": _("Add yourself among the founders.")})
    else:
        require(permissions.can_edit_venture(by, venture))
    _check_venture(venture, founders)
    venture.description_html = render_markdown(venture.description)
    venture.save()
    venture.founders.set(founders)
    return venture


@transaction.atomic
def delete_venture(*, venture: Venture, by: User) -> None:
    require(permissions.can_edit_venture(by, venture))
    venture.delete()
