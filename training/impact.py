"""Training-week participation for the impact figures, counted for the participant's institution."""

from consortium.impact import by_month, monthly

from .models import Registration, RegistrationStatus


def _registrations(institution_id):
    registrations = Registration.objects.all()
    return registrations if institution_id is None else registrations.filter(institution_id=institution_id)


def _made(start, end, institution_id):
    return _registrations(institution_id).filter(created_at__gte=start, created_at__lt=end)


def registrations_made(start, end, institution_id):
    return _made(start, end, institution_id).count()


def registrations_by_month(start, end, institution_id):
    return monthly(by_month(_made(start, end, institution_id), "created_at"))


def participants(start, end, institution_id):
    """Approved registrations with a confirmed seat for the weeks that started in the period."""
    return (
        _registrations(institution_id)
        .filter(status=RegistrationStatus.APPROVED, seat__status="confirmed")
        .filter(week__starts_on__gte=start.date(), week__starts_on__lt=end.date())
        .count()
    )


def register_impact_figures():
    from django.utils.translation import gettext_lazy as _

    from consortium.registry import register_impact_counter, register_impact_series

    register_impact_counter("training.registrations", _("Training-week registrations"), registrations_made, order=30)
    register_impact_counter("training.participants", _("Training-week participants"), participants, order=31)
    register_impact_series("training.registrations", _("Training-week registrations"), registrations_by_month, order=30)
