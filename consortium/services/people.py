"""Writes about people and institutions: sign-up, invitations, staff roles, liaison officers."""

import hmac

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions
from ..models import (
    INSTITUTION_STAFF_ROLES,
    AuditAction,
    Institution,
    InstitutionDomain,
    Invitation,
    LiaisonNomination,
    Role,
    RoleAssignment,
    User,
    UserLanguage,
)
from ..permissions import require
from .audit import record_audit
from .notifications import notify
from .support_turnover import (
    assign_waiting_support_requests,
    hand_over_support_requests,
    release_support_requests,
    release_to_shared_queue,
)
from .webhooks import emit_event

INVITATION_SALT = "consortium.invitation"


# Institutions


def institution_for_email(email: str) -> Institution | None:
    """The active member institution whose student domain an address belongs to."""
    match = (
        InstitutionDomain.objects.filter(domain__in=InstitutionDomain.candidates(email), institution__is_active=True)
        .select_related("institution")
        .order_by("-domain")
        .first()
    )
    return match.institution if match else None


def normalise_domains(raw: list[str]) -> list[str]:
    domains = sorted({d.strip().lower().lstrip("@") for d in raw if d.strip()})
    for domain in domains:
        labels = domain.split(".")
        if len(labels) < 2 or not all(labels) or any(" " in label for label in labels):
            raise ValidationError({"domains": _("“%(domain)s” is not a domain name.") % {"domain": domain}})
    return domains


@transaction.atomic
def save_institution(*, institution: Institution, domains: list[str], by: User) -> Institution:
    """Create or update a member institution and replace its student e-mail domains."""
    require(permissions.can_manage_members(by))
    domains = normalise_domains(domains)
    taken = InstitutionDomain.objects.filter(domain__in=domains)
    if institution.pk:
        taken = taken.exclude(institution=institution)
    if clash := taken.select_related("institution").first():
        raise ValidationError(
            {
                "domains": _("%(domain)s already belongs to %(institution)s.")
                % {"domain": clash.domain, "institution": clash.institution.name}
            }
        )
    created = institution.pk is None
    institution.full_clean()
    institution.save()
    if not institution.is_active:
        release_to_shared_queue(institution=institution)
    institution.domains.exclude(domain__in=domains).delete()
    existing = set(institution.domains.values_list("domain", flat=True))
    InstitutionDomain.objects.bulk_create(
        InstitutionDomain(institution=institution, domain=d) for d in domains if d not in existing
    )
    record_audit(
        actor=by,
        action=AuditAction.INSTITUTION_CREATED if created else AuditAction.INSTITUTION_UPDATED,
        target=institution,
        institution=institution,
        details={"domains": domains, "active": institution.is_active},
    )
    return institution


# Students


@transaction.atomic
def enrol_student(*, user: User, institution: Institution | None = None) -> User:
    """Make a new account a student: of the given institution (single sign-on) or of its e-mail domain."""
    institution = institution or institution_for_email(user.email)
    if institution is None or not institution.is_active:
        raise ValidationError({"email": unknown_domain_message()})
    user.institution = institution
    user.save(update_fields=["institution"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.STUDENT)
    return user


def unknown_domain_message() -> str:
    return _(
        "This address does not belong to a member institution of the consortium. "
        "Sign up with your university e-mail address; staff join through an invitation "
        "from their institution."
    )


# Staff invitations


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names; ValidationError says why a link cannot be used."""
    invalid = ValidationError(_("This invitation link is not valid. Check that you copied all of it."))
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("institution", "invited_by", "company").get(pk=payload["i"])
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError):
        raise invalid from None
    if not hmac.compare_digest(invitation.nonce, str(payload.get("n", ""))):
        raise invalid
    ensure_usable(invitation)
    return invitation


def ensure_usable(invitation: Invitation) -> None:
    """Refuse an invitation that was used, withdrawn or has expired, or whose sender may no longer invite."""
    status = invitation.status()
    if invitation.company_id:
        may_invite = permissions.can_invite_company_contact(
            invitation.invited_by, invitation.institution, invitation.company
        )
    else:
        may_invite = permissions.can_manage_staff(invitation.invited_by, invitation.institution)
    if status == "pending" and not (invitation.institution.is_active and may_invite):
        status = "revoked"
    if status == "accepted":
        raise ValidationError(_("This invitation has already been used. Sign in with your account instead."))
    if status == "revoked":
        raise ValidationError(_("This invitation was withdrawn. Ask your partner admin for a new one."))
    if status == "expired":
        raise ValidationError(
            _("This invitation expired on %(date)s. Ask your partner admin for a new one.")
            % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")}
        )


def _clean_staff_roles(roles: list[str]) -> list[str]:
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if not set(roles) <= set(INSTITUTION_STAFF_ROLES):
        raise ValidationError({"roles": _("Only staff roles can be given here.")})
    return roles


@transaction.atomic
def invite_staff(*, institution: Institution, email: str, full_name: str, roles: list[str], by: User) -> Invitation:
    """Invite a member of staff; any earlier pending invitation of the same address is withdrawn."""
    require(permissions.can_manage_staff(by, institution))
    roles = _clean_staff_roles(roles)
    email = User.objects.normalize_email(email).strip()
    # Only a clash inside the institution is named: an admin must not learn who studies elsewhere.
    if User.objects.filter(email__iexact=email, institution=institution).exists():
        raise ValidationError({"email": _("Someone already has an account with this address.")})
    invitation = create_invitation(
        institution=institution, email=email, full_name=full_name, roles=roles, company=None, by=by
    )
    record_audit(
        actor=by,
        action=AuditAction.STAFF_INVITED,
        target=invitation,
        institution=institution,
        details={"email": email, "roles": roles},
    )
    return invitation


def create_invitation(
    *, institution: Institution, email: str, full_name: str, roles: list[str], company, by: User
) -> Invitation:
    """Write an invitation and send its link once the transaction commits; an earlier pending
    invitation of the same address from the institution is withdrawn. The caller checks access."""
    now = timezone.now()
    institution.invitations.pending().filter(email__iexact=email).update(revoked_at=now)
    invitation = Invitation.objects.create(
        institution=institution,
        email=email,
        full_name=full_name,
        roles=roles,
        company=company,
        invited_by=by,
        expires_at=now + settings.INVITATION_VALIDITY,
    )
    from ..tasks import send_invitation

    send_invitation.delay_on_commit(invitation.pk)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    require(permissions.can_manage_staff(by, invitation.institution))
    if invitation.status() != "pending":
        raise ValidationError(_("Only a pending invitation can be withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_audit(actor=by, action=AuditAction.INVITATION_REVOKED, target=invitation, institution=invitation.institution)
    return invitation


def _withdraw_invitations_sent_by(user: User) -> None:
    Invitation.objects.pending().filter(invited_by=user).update(revoked_at=timezone.now())


@transaction.atomic
def accept_invitation(*, invitation: Invitation, full_name: str, password: str) -> User:
    """Create the invited account. Locks the invitation so that it can be used once only."""
    from allauth.account.models import EmailAddress

    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("institution", "invited_by", "company")
        .get(pk=invitation.pk)
    )
    ensure_usable(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("Someone already has an account with this address. Sign in instead."))
    user = User.objects.create_user(
        invitation.email,
        password,
        full_name=full_name,
        # A company contact speaks for the company, not for the institution that invited them.
        institution=None if invitation.company_id else invitation.institution,
        company=invitation.company,
        preferred_language=invitation.invited_by.preferred_language if invitation.invited_by else "en",
    )
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=r) for r in invitation.roles)
    # The invitation reached this address, which proves it.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_audit(
        actor=user,
        action=AuditAction.INVITATION_ACCEPTED,
        target=user,
        institution=invitation.institution,
        details={"roles": invitation.roles},
    )
    return user


# Staff roles and accounts


def lock_institution(institution_id: int) -> Institution:
    """Serialise the writes that keep an institution's invariants (one liaison, one partner admin)."""
    # NO KEY: rows that merely point at the institution (a new seat, a job) need not wait for it.
    return Institution.objects.select_for_update(no_key=True).get(pk=institution_id)


def active_liaison_of(user: User) -> LiaisonNomination | None:
    return LiaisonNomination.objects.active().filter(officer=user).first()


def ensure_another_partner_admin(user: User, field: str) -> None:
    others = (
        User.objects.with_role(Role.PARTNER_ADMIN)
        .filter(institution_id=user.institution_id, is_active=True)
        .exclude(pk=user.pk)
    )
    if not others.exists():
        raise ValidationError(
            {
                field: _("%(institution)s needs at least one other active partner admin first.")
                % {"institution": user.institution}
            }
        )


@transaction.atomic
def set_staff_roles(*, user: User, roles: list[str], by: User) -> User:
    """Replace a person's staff roles at their institution; other roles they hold stay."""
    require(permissions.can_manage_staff_member(by, user))
    roles = _clean_staff_roles(roles)
    lock_institution(user.institution_id)
    current = set(user.role_assignments.values_list("role", flat=True))
    removed = (current & set(INSTITUTION_STAFF_ROLES)) - set(roles)
    if Role.PARTNER_ADMIN in removed:
        ensure_another_partner_admin(user, "roles")
    if Role.CAREER_OFFICER in removed and active_liaison_of(user):
        raise ValidationError(
            {"roles": _("%(name)s is the liaison officer. Nominate someone else first.") % {"name": user}}
        )
    if Role.PARTNER_ADMIN in removed:
        _withdraw_invitations_sent_by(user)
    user.role_assignments.filter(role__in=removed).delete()
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=r) for r in roles if r not in current)
    user.__dict__.pop("roles", None)
    entry = record_audit(
        actor=by,
        action=AuditAction.ROLES_CHANGED,
        target=user,
        institution=user.institution,
        details={"before": sorted(current), "after": sorted((current - removed) | set(roles))},
    )
    # A partner admin works the desk too: only someone left with neither role gives up requests.
    desk_roles = set(permissions.SUPPORT_ROLES)
    if current & desk_roles and not ((current - removed) | set(roles)) & desk_roles:
        release_support_requests(
            person=user, reason=gettext_lazy("no longer works the support desk"), dedupe_key=f"roles:{entry.pk}"
        )
    notify(
        [user],
        "account.roles_changed",
        context={"institution": user.institution, "roles": user.role_labels(), "changed_by": by},
        dedupe_key=f"roles:{entry.pk}",
    )
    return user


@transaction.atomic
def deactivate_user(*, user: User, by: User) -> User:
    """Deactivate an account and end every session it has, on every device."""
    from allauth.usersessions.models import UserSession

    require(permissions.can_manage_staff_member(by, user))
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not user.is_active:
        raise ValidationError(_("%(name)s is already deactivated.") % {"name": user})
    lock_institution(user.institution_id)
    if active_liaison_of(user):
        raise ValidationError(_("%(name)s is the liaison officer. Nominate someone else first.") % {"name": user})
    if Role.PARTNER_ADMIN in user.roles:
        ensure_another_partner_admin(user, "__all__")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _withdraw_invitations_sent_by(user)
    for session in UserSession.objects.filter(user=user):
        session.end()
    entry = record_audit(actor=by, action=AuditAction.USER_DEACTIVATED, target=user, institution=user.institution)
    release_support_requests(
        person=user, reason=gettext_lazy("account deactivated"), dedupe_key=f"deactivated:{entry.pk}"
    )
    return user


@transaction.atomic
def reactivate_user(*, user: User, by: User) -> User:
    require(permissions.can_manage_staff_member(by, user))
    if user.is_active:
        raise ValidationError(_("%(name)s is already active.") % {"name": user})
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_audit(actor=by, action=AuditAction.USER_REACTIVATED, target=user, institution=user.institution)
    return user


# Liaison officers


def liaison_refusal(institution: Institution) -> str:
    return _("The liaison officer must be an active career officer of %(institution)s.") % {"institution": institution}


@transaction.atomic
def nominate_liaison(*, institution: Institution, officer: User, by: User) -> LiaisonNomination:
    """End the current nomination and start a new one; the institution row is locked meanwhile."""
    require(permissions.can_nominate_liaison(by, institution))
    lock_institution(institution.pk)
    # Read again under the lock, so that a concurrent deactivation or role change is seen.
    officer = User.objects.get(pk=officer.pk)
    if officer.institution_id != institution.pk or not officer.is_active or Role.CAREER_OFFICER not in officer.roles:
        raise ValidationError({"officer": liaison_refusal(institution)})
    now = timezone.now()
    current = institution.liaison_nominations.active().first()
    if current and current.officer_id == officer.pk:
        raise ValidationError({"officer": _("%(name)s is already the liaison officer.") % {"name": officer}})
    if current:
        current.ends_at = now
        current.save(update_fields=["ends_at"])
    # The liaison is part of the institution's API record: a sync must see the change.
    Institution.objects.filter(pk=institution.pk).update(updated_at=now)
    nomination = LiaisonNomination.objects.create(
        institution=institution, officer=officer, starts_at=now, nominated_by=by
    )
    if current:
        hand_over_support_requests(
            previous=current.officer,
            successor=officer,
            reason=gettext_lazy("a new liaison officer was nominated"),
            dedupe_key=f"nomination:{nomination.pk}",
        )
    assign_waiting_support_requests(institution=institution, officer=officer, dedupe_key=f"nomination:{nomination.pk}")
    notify(
        [officer, current.officer if current else None],
        "liaison.nominated",
        context={"institution": institution, "officer": officer, "nominated_by": by},
        dedupe_key=f"nomination:{nomination.pk}",
    )
    emit_event(
        "liaison.nominated",
        institutions=Institution.objects.active(),
        data={
            "institution": institution.slug,
            "officer": {"full_name": officer.full_name, "email": officer.email},
            "starts_at": nomination.starts_at,
        },
    )
    record_audit(
        actor=by,
        action=AuditAction.LIAISON_NOMINATED,
        target=nomination,
        institution=institution,
        details={"officer": officer.email, "previous": current.officer.email if current else None},
    )
    return nomination


def set_preferred_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def set_spoken_languages(*, user: User, languages: list[tuple[str, str]]) -> User:
    """Replace the languages on a person's profile; job search compares them with jobs' requirements."""
    if len({code for code, _level in languages}) != len(languages):
        raise ValidationError({"languages": _("Each language can be listed once.")})
    UserLanguage.objects.filter(user=user).delete()
    UserLanguage.objects.bulk_create(UserLanguage(user=user, language=code, level=level) for code, level in languages)
    return user
