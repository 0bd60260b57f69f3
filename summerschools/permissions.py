"""Who may do what with summer schools."""

from consortium.access import has_role, is_consortium_admin, is_signed_in, staff_institution_id
from consortium.models import Role

from .models import ORGANISER_ROLES, AlumniProfile, Application, ApplicationStatus, EditionStatus


def _organisers_institution(user, edition) -> bool:
    return bool(user.institution_id) and (
        user.institution_id == edition.host_id or edition.co_organisers.filter(pk=user.institution_id).exists()
    )


def can_create_edition(user, host) -> bool:
    """Staff of the host institution start an edition (and become its first organiser)."""
    return is_consortium_admin(user) or (
        has_role(user, *ORGANISER_ROLES) and host is not None and user.institution_id == host.pk
    )


def is_organiser(user, edition) -> bool:
    return is_signed_in(user) and edition.pk is not None and edition.organisers.filter(pk=user.pk).exists()


def can_edit_edition(user, edition) -> bool:
    return is_consortium_admin(user) or (is_organiser(user, edition) and has_role(user, *ORGANISER_ROLES))


def can_be_organiser(user, edition) -> bool:
    """Organisers are staff of the host or of a co-organising institution."""
    return has_role(user, *ORGANISER_ROLES) and _organisers_institution(user, edition)


def can_view_edition(user, edition) -> bool:
    return edition.status == EditionStatus.PUBLISHED or can_edit_edition(user, edition)


def can_apply(user, edition) -> bool:
    return has_role(user, Role.STUDENT) and bool(user.institution_id) and edition.status == EditionStatus.PUBLISHED


def can_view_application(user, application) -> bool:
    return (is_signed_in(user) and application.student_id == user.pk) or can_review(user, application)


def can_review(user, application) -> bool:
    """Only the organisers from the applicant's own institution review and decide, and none who
    declared a conflict of interest: they are left out of that application altogether (its CV too)."""
    return (
        has_role(user, *ORGANISER_ROLES)
        and user.institution_id == application.institution_id
        and is_organiser(user, application.edition)
        and not application.reviews.filter(reviewer=user, conflict_of_interest=True).exists()
    )


def can_confirm(user, application) -> bool:
    return is_signed_in(user) and application.student_id == user.pk and application.status == ApplicationStatus.ACCEPTED


def can_fill_follow_up(user, application) -> bool:
    """The confirmed student, until the school's last day: after it the host no longer needs the
    form, and retention deletes it."""
    mine = is_signed_in(user) and application.student_id == user.pk
    return (
        mine
        and application.status == ApplicationStatus.CONFIRMED
        and application.edition.local_today() <= application.edition.ends_on
    )


# Organising: participants, completion, the survey, certificates


def can_manage_participants(user, edition) -> bool:
    """Every organiser sees the confirmed participants of all institutions, records completion and
    runs the survey; decisions on applications stay with each institution's own organisers."""
    return can_edit_edition(user, edition)


def can_view_follow_ups(user, edition) -> bool:
    """The participants' arrival, dietary needs and emergency contacts: the host's organisers only,
    who receive the students; co-organisers and admins have no need for them."""
    return is_organiser(user, edition) and has_role(user, *ORGANISER_ROLES) and user.institution_id == edition.host_id


def can_view_certificate(user, application) -> bool:
    return is_signed_in(user) and application.student_id == user.pk


# Alumni directory and ventures


def is_alumnus(user, edition=None) -> bool:
    """Took part in an edition that has ended (in `edition`, when given) and was not marked as not completing it."""
    if not is_signed_in(user):
        return False
    taken = Application.objects.alumni().filter(student=user)
    return (taken.filter(edition=edition) if edition is not None else taken).exists()


def can_join_alumni(user) -> bool:
    return is_alumnus(user)


def can_view_alumni_directory(user) -> bool:
    """Members of the directory, and the staff of active member institutions (who invite alumni to
    speak, mentor or recruit); other students learn how to join."""
    if is_consortium_admin(user):
        return True
    if staff_institution_id(user) and user.institution.is_active:
        return True
    return is_signed_in(user) and AlumniProfile.objects.filter(user=user).exists()


def can_add_venture(user, edition) -> bool:
    return is_consortium_admin(user) or is_organiser(user, edition) or is_alumnus(user, edition)


def can_edit_venture(user, venture) -> bool:
    """Whoever added it, its founders, the edition's organisers and consortium admins."""
    if not is_signed_in(user):
        return False
    return (
        is_consortium_admin(user)
        or venture.added_by_id == user.pk
        or is_organiser(user, venture.edition)
        or venture.founders.filter(pk=user.pk).exists()
    )


# Teams


def can_manage_teams(user, edition) -> bool:
    return can_edit_edition(user, edition)


def can_view_team(user, team) -> bool:
    """Organisers always; once the teams are shared, the team's members and its challenge's mentor."""
    if can_edit_edition(user, team.edition):
        return True
    if not is_signed_in(user) or team.edition.teams_shared_at is None:
        return False
    if team.challenge_id and team.challenge.mentor_id == user.pk:
        return True
    return Application.objects.confirmed().filter(team=team, student=user).exists()
