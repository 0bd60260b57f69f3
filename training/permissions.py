"""Who may do what with training weeks.

The host institution's career officers and partner admins organise its weeks (edit, agenda,
check-in, survey). The career staff of active member institutions (career officers, partner admins,
academics) register; their own institution's partner admin approves. Consortium admins edit the
curriculum.
"""

from consortium.access import has_role, holds_role_at, is_consortium_admin, is_signed_in

from .models import ORGANIZER_ROLES, PARTICIPANT_ROLES, RegistrationStatus, Role, WeekStatus


def can_organise_weeks(user, institution) -> bool:
    """Create weeks hosted by the institution."""
    return institution is not None and institution.is_active and holds_role_at(user, institution, *ORGANIZER_ROLES)


def can_edit_week(user, week) -> bool:
    return holds_role_at(user, week.host, *ORGANIZER_ROLES)


def can_view_week(user, week) -> bool:
    """Mirrors TrainingWeek.objects.visible_to."""
    return week.status != WeekStatus.DRAFT or is_consortium_admin(user) or can_edit_week(user, week)


def can_register(user, week) -> bool:
    """May try to register: career staff of an active member, students and outsiders never. Whether the
    week takes registrations now is the service's to say, with its reason."""
    return (
        has_role(user, *PARTICIPANT_ROLES)
        and not has_role(user, Role.STUDENT, Role.COMPANY_CONTACT)
        and user.institution is not None
        and user.institution.is_active
        and week.status == WeekStatus.PUBLISHED
    )


def can_view_registration(user, registration) -> bool:
    """Mirrors Registration.objects.visible_to."""
    if is_consortium_admin(user):
        return True
    if not is_signed_in(user):
        return False
    return (
        registration.person_id == user.pk
        or holds_role_at(user, registration.institution, Role.PARTNER_ADMIN)
        or can_edit_week(user, registration.week)
    )


def can_decide_registration(user, registration) -> bool:
    """Who decides on a registration while it is pending: the registrant's own institution's partner
    admins, never for their own registration."""
    return registration.person_id != user.pk and holds_role_at(user, registration.institution, Role.PARTNER_ADMIN)


def can_approve_registration(user, registration) -> bool:
    """Approve or decline: a pending registration, by whoever decides on it."""
    return registration.status == RegistrationStatus.PENDING and can_decide_registration(user, registration)


def can_review_registrations(user) -> bool:
    return has_role(user, Role.PARTNER_ADMIN) and user.institution_id is not None


def can_cancel_registration(user, registration) -> bool:
    """The person themselves, or their institution's partner admin."""
    return is_signed_in(user) and (
        registration.person_id == user.pk or holds_role_at(user, registration.institution, Role.PARTNER_ADMIN)
    )


def can_confirm_offer(user, registration) -> bool:
    return is_signed_in(user) and registration.person_id == user.pk


def can_check_in(user, week) -> bool:
    return can_edit_week(user, week)


def can_view_certificate(user, registration) -> bool:
    """The participant, and the host's organisers who issue it; whether there is anything to certify
    (attendance) is the view's to check."""
    return is_signed_in(user) and (registration.person_id == user.pk or can_edit_week(user, registration.week))


def can_manage_training_policy(user, institution) -> bool:
    return holds_role_at(user, institution, Role.PARTNER_ADMIN)


def can_open_survey(user, week) -> bool:
    return can_edit_week(user, week)


def can_view_survey_results(user, week) -> bool:
    return can_edit_week(user, week) or is_consortium_admin(user)


def can_edit_curriculum(user) -> bool:
    return is_consortium_admin(user)
