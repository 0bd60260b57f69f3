"""Who may do what in matching. Everyone signed in may take part; introductions belong to the two
people in them; contact details only once the person asked has accepted."""

from consortium.access import is_consortium_admin, is_signed_in

from .models import CooperationOffer, Introduction, IntroductionStatus


def can_use_matching(user) -> bool:
    """People only: an API key never has a profile, asks, or answers."""
    return is_signed_in(user)


def is_party(user, introduction: Introduction) -> bool:
    return is_signed_in(user) and user.pk in (introduction.sender_id, introduction.recipient_id)


def can_view_introduction(user, introduction: Introduction) -> bool:
    return is_party(user, introduction)


def can_respond_to_introduction(user, introduction: Introduction) -> bool:
    return is_signed_in(user) and user.pk == introduction.recipient_id


def can_withdraw_introduction(user, introduction: Introduction) -> bool:
    return is_signed_in(user) and user.pk == introduction.sender_id


def can_see_contact_details(user, introduction: Introduction) -> bool:
    """Double opt-in: the e-mail addresses only once the person asked said yes."""
    return is_party(user, introduction) and introduction.status == IntroductionStatus.ACCEPTED


def can_post_introduction_message(user, introduction: Introduction) -> bool:
    return can_see_contact_details(user, introduction)


def can_edit_offer(user, offer: CooperationOffer) -> bool:
    return is_signed_in(user) and offer.owner_id == user.pk


def can_handle_reports(user) -> bool:
    return is_consortium_admin(user)
