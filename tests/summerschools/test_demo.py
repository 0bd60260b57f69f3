"""The summer-school demo: last summer's Milan school with alumni and ventures, next summer's open call."""

from io import StringIO

from django.core.management import call_command

from consortium.models import User
from summerschools.models import AlumniProfile, Application, Edition, Team, Venture
from summerschools.permissions import can_apply


def test_the_demo_seeds_both_schools_once(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = [m.objects.count() for m in (Edition, Application, Team, AlumniProfile, Venture)]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert [m.objects.count() for m in (Edition, Application, Team, AlumniProfile, Venture)] == counts
    past, upcoming = Edition.objects.order_by("starts_on")
    assert past.host.slug == "unicatt" and past.applications.filter(status="confirmed").count() == 10
    assert past.applications.filter(team__isnull=True).count() == 0
    assert past.applications.filter(completed=False).count() == 1
    assert {a.institution.slug for a in past.applications.all()} == {"uam", "unicatt", "regents", "psb", "ebc"}
    assert AlumniProfile.objects.count() == 5 and Venture.objects.count() == 2
    assert upcoming.call_is_open() and upcoming.challenges.filter(mentor__isnull=False).count() == 3
    assert sorted(upcoming.applications.values_list("status", flat=True)) == ["accepted", "confirmed", "submitted"]
    milan = User.objects.get(email="student@unicatt.it")
    assert can_apply(milan, upcoming) and not upcoming.applications.filter(student=milan).exists()
    assert "pablo.ortega@uam.es" in out.getvalue()
