"""Introductions for the impact figures, counted for the institution of the person who asked."""

from consortium.impact import by_month, monthly

from .models import Introduction, IntroductionStatus


def _introductions(institution_id):
    introductions = Introduction.objects.all()
    return introductions if institution_id is None else introductions.filter(sender__institution_id=institution_id)


def _made(start, end, institution_id):
    return _introductions(institution_id).filter(created_at__gte=start, created_at__lt=end)


def introductions_made(start, end, institution_id):
    return _made(start, end, institution_id).count()


def introductions_by_month(start, end, institution_id):
    return monthly(by_month(_made(start, end, institution_id), "created_at"))


def introductions_accepted(start, end, institution_id):
    return (
        _introductions(institution_id)
        .filter(status=IntroductionStatus.ACCEPTED, responded_at__gte=start, responded_at__lt=end)
        .count()
    )


def register_impact_figures():
    from django.utils.translation import gettext_lazy as _

    from consortium.registry import register_impact_counter, register_impact_series

    register_impact_counter("matching.introductions", _("Introductions requested"), introductions_made, order=60)
    register_impact_counter("matching.accepted", _("Introductions accepted"), introductions_accepted, order=61)
    register_impact_series("matching.introductions", _("Introductions requested"), introductions_by_month, order=60)
