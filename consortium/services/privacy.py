"""Everyone's two rights over their data here: to download all of it, and to erase their account."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import AuditAction, Role, User
from ..registry import PRIVACY_PROVIDERS
from .audit import record_audit
from .people import active_liaison_of, ensure_another_partner_admin, lock_institution
from .support_turnover import release_support_requests


def export_personal_data(*, user: User) -> dict:
    """Everything the platform holds about a person, one section per privacy provider."""
    return {
        "exported_at": timezone.now(),
        "user_id": user.pk,
        **{name: provider.export(user) for name, provider in PRIVACY_PROVIDERS.items()},
    }


@transaction.atomic
def erase_account(*, user: User) -> User:
    """Erase a person's account at their own request.

    Each provider deletes what is theirs alone and anonymises what others rely on; the user row
    stays as an anonymous tombstone so that those records keep a valid reference.
    """
    if user.institution_id:
        lock_institution(user.institution_id)
    if active_liaison_of(user):
        raise ValidationError(
            _("You are your institution's liaison officer. Ask your partner admin to nominate someone else first.")
        )
    if Role.PARTNER_ADMIN in user.roles:
        ensure_another_partner_admin(user, "__all__")
    for provider in PRIVACY_PROVIDERS.values():
        provider.erase(user)
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = _("Former member")
    user.company = None
    user.home_country = ""
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.role_assignments.all().delete()
    entry = record_audit(actor=None, action=AuditAction.ACCOUNT_ERASED, target=user, institution=user.institution)
    release_support_requests(person=user, reason=gettext_lazy("account erased"), dedupe_key=f"erased:{entry.pk}")
    return user
