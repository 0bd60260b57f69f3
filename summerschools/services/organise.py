"""Writes of the organisers beyond selection: challenges and their mentors, the participants'
completion after the school, and the evaluation survey.

Mentors are people the students can actually meet: a contact of the challenge's company, or
a member of staff (academic, career officer, partner admin) of an organising institution.
A participant's certificate is available from the school's last day, to confirmed participants
whose completion the organisers have recorded: ECTS credits are never awarded automatically.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Company, CompanyRelationship, Role, Survey, User
from consortium.permissions import require
from consortium.services import surveys as survey_service
from consortium.services.notifications import notify

from .. import permissions
from ..models import ORGANISER_ROLES, Application, ApplicationStatus, Challenge, Edition

SURVEY_KEY = "summer-school"
SURVEY_DAYS_OPEN = 14
SURVEY_QUESTIONS = [
    ("likert", "The summer school met the learning outcomes it announced."),
    ("likert", "Working in a mixed international team taught me something I will use."),
    ("likert", "The company challenge was real and well prepared."),
    ("likert", "The mentors and organisers supported our team well."),
    ("likert", "The programme was well organised."),
    ("recommend", "How likely are you to recommend this summer school to a fellow student?"),
    ("text", "What should the next edition keep or change?"),
]


# Challenges


def network_companies(edition: Edition):
    """The companies the host works with in the shared network: those a challenge may come from."""
    return Company.objects.filter(relationships__institution_id=edition.host_id).distinct().order_by("name")


def mentor_candidates(edition: Edition, company: Company | None = None):
    """Contacts of the company (of any network company of the host when None) and the organising
    institutions' staff."""
    companies = [company.pk] if company else network_companies(edition).values("pk")
    organising = [i.pk for i in edition.institutions()]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(company__in=companies, role_assignments__role=Role.COMPANY_CONTACT)
            | Q(institution__in=organising, role_assignments__role__in=ORGANISER_ROLES)
        )
        .select_related("company", "institution")
        .distinct()
        .order_by("full_name", "pk")
    )


def challenge_errors(*, edition: Edition, company: Company, title: str, mentor: User | None) -> dict:
    errors = {}
    if not CompanyRelationship.objects.filter(institution_id=edition.host_id, company=company).exists():
        errors["company"] = _("%(host)s has no relationship with %(company)s in the company network.") % {
            "host": edition.host,
            "company": company,
        }
    elif mentor is not None and not mentor_candidates(edition, company).filter(pk=mentor.pk).exists():
        errors["mentor"] = _("The mentor must be a contact of %(company)s or staff of an organising institution.") % {
            "company": company
        }
    if not title.strip():
        errors["title"] = _("Give the challenge a title.")
    return errors


@transaction.atomic
def change_challenge(
    *, challenge: Challenge, company: Company, title: str, description: str = "", mentor: User | None = None, by: User
) -> Challenge:
    edition = challenge.edition
    require(permissions.can_edit_edition(by, edition))
    errors = challenge_errors(edition=edition, company=company, title=title, mentor=mentor)
    if errors:
        raise ValidationError(errors)
    challenge.company, challenge.title, challenge.description, challenge.mentor = (
        company,
        title.strip(),
        description,
        mentor,
    )
    challenge.save()
    return challenge


@transaction.atomic
def remove_challenge(*, challenge: Challenge, by: User) -> None:
    """Refused while a team works on it: its members would silently lose their challenge."""
    require(permissions.can_edit_edition(by, challenge.edition))
    if challenge.teams.exists():
        raise ValidationError(_("A team works on this challenge; give the team another challenge first."))
    challenge.delete()


# Participants and completion


def participants(edition: Edition, *, with_follow_up: bool = False):
    """The confirmed participants of every institution, for the organisers; with their follow-up
    forms (arrival, dietary needs, emergency contact) for the host's organisers."""
    rows = edition.applications.confirmed().select_related("student", "institution", "team")
    if with_follow_up:
        rows = rows.select_related("follow_up")
    return rows.order_by("institution__name", "student__full_name", "pk")


def certificate_available(application: Application) -> bool:
    return (
        application.status == ApplicationStatus.CONFIRMED
        and application.completed is True
        and application.edition.has_ended()
    )


def _tell_certificate(application: Application) -> None:
    notify(
        [application.student],
        "summerschools.certificate",
        context={"application": application, "edition": application.edition},
        dedupe_key=f"certificate:{application.pk}",
        target=application,
    )


@transaction.atomic
def record_completion(*, application: Application, completed: bool, by: User) -> Application:
    """Record whether a confirmed participant completed the school, from its last day on. The
    student hears once when this makes their certificate available."""
    require(permissions.can_manage_participants(by, application.edition))
    if application.status != ApplicationStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed participant can complete the school."))
    if not application.edition.has_ended():
        raise ValidationError(_("Completion can be recorded from the school's last day on."))
    Application.objects.filter(pk=application.pk).update(completed=completed, updated_at=timezone.now())
    application.completed = completed
    if completed:
        _tell_certificate(application)
    return application


@transaction.atomic
def record_all_completed(*, edition: Edition, by: User) -> int:
    """Record every participant whose completion is not recorded yet as having completed the school
    (those recorded as not completing keep that); each hears once that their certificate is ready.
    Returns how many were recorded."""
    require(permissions.can_manage_participants(by, edition))
    if not edition.has_ended():
        raise ValidationError(_("Completion can be recorded from the school's last day on."))
    pending = list(edition.applications.confirmed().filter(completed__isnull=True).select_related("student"))
    Application.objects.filter(pk__in=[a.pk for a in pending]).update(completed=True, updated_at=timezone.now())
    for application in pending:
        application.completed, application.edition = True, edition
        _tell_certificate(application)
    return len(pending)


# Evaluation survey


def edition_survey(edition: Edition) -> Survey | None:
    return Survey.objects.for_event(edition).first()


@transaction.atomic
def open_survey(*, edition: Edition, by: User, anonymous: bool = True) -> Survey:
    """Open the evaluation survey for the confirmed participants of every institution, from the
    school's last day on, for two weeks; each participant is invited. Refused a second time."""
    require(permissions.can_manage_participants(by, edition))
    if not edition.has_ended():
        raise ValidationError(_("The evaluation survey opens on the school's last day at the earliest."))
    return survey_service.open_evaluation(
        event=edition,
        title=edition.title,
        key=SURVEY_KEY,
        questionnaire_title="Summer school evaluation",
        questions=SURVEY_QUESTIONS,
        participants=[a.student for a in participants(edition)],
        anonymous=anonymous,
        days_open=SURVEY_DAYS_OPEN,
        by=by,
    )
