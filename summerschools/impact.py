"""Summer-school figures for the impact page, counted for the students' institutions: applications,
acceptances, the teams they formed and the ventures that came out of them."""

from django.db.models import Exists, OuterRef

from consortium.impact import by_month, monthly

from .models import Application, ApplicationStatus, Team, Venture

ACCEPTED_STATUSES = (ApplicationStatus.ACCEPTED, ApplicationStatus.CONFIRMED)


def _applications(institution_id):
    applications = Application.objects.all()
    return applications if institution_id is None else applications.filter(institution_id=institution_id)


def _made(start, end, institution_id):
    return _applications(institution_id).filter(created_at__gte=start, created_at__lt=end)


def applications_made(start, end, institution_id):
    return _made(start, end, institution_id).count()


def applications_by_month(start, end, institution_id):
    return monthly(by_month(_made(start, end, institution_id), "created_at"))


def acceptances(start, end, institution_id):
    """Applications accepted in the period, whether or not the seat was confirmed since."""
    return (
        _applications(institution_id)
        .filter(decided_at__gte=start, decided_at__lt=end, status__in=ACCEPTED_STATUSES)
        .count()
    )


def teams_formed(start, end, institution_id):
    """Teams formed in the period; an institution's, those with at least one of its students."""
    teams = Team.objects.filter(created_at__gte=start, created_at__lt=end)
    if institution_id is not None:
        teams = teams.filter(Exists(Application.objects.filter(team=OuterRef("pk"), institution_id=institution_id)))
    return teams.count()


def ventures_founded(start, end, institution_id):
    """Ventures recorded in the period; an institution's, those with a founder among its people."""
    ventures = Venture.objects.filter(created_at__gte=start, created_at__lt=end)
    if institution_id is not None:
        founders = Venture.founders.through.objects.filter(venture=OuterRef("pk"), user__institution_id=institution_id)
        ventures = ventures.filter(Exists(founders))
    return ventures.count()


def register_impact_figures():
    from django.utils.translation import gettext_lazy as _

    from consortium.registry import register_impact_counter, register_impact_series

    register_impact_counter("summerschools.applications", _("Summer-school applications"), applications_made, order=40)
    register_impact_counter("summerschools.acceptances", _("Summer-school acceptances"), acceptances, order=41)
    register_impact_counter("summerschools.teams", _("Summer-school teams formed"), teams_formed, order=42)
    register_impact_counter("summerschools.ventures", _("Ventures founded by participants"), ventures_founded, order=43)
    register_impact_series(
        "summerschools.applications", _("Summer-school applications"), applications_by_month, order=40
    )
