"""Guide readership for the impact figures. An institution's figure is the readership of the guide to
its own country, the guide its liaison officer keeps."""

from django.db.models import Sum

from consortium.daycounters import bump_day_counter, is_reader
from consortium.models import Institution

from .models import GuideEdition, GuideReadDay


def record_guide_read(request, edition: GuideEdition) -> None:
    """Count a published edition being read (consortium.daycounters.is_reader)."""
    if edition.current_revision_id is None or not is_reader(request):
        return
    bump_day_counter(GuideReadDay, edition=edition.pk)


def guide_reads(start, end, institution_id):
    reads = GuideReadDay.objects.filter(day__gte=start.date(), day__lt=end.date())
    if institution_id is not None:
        country = Institution.objects.filter(pk=institution_id).values("country")
        reads = reads.filter(edition__guide__country__in=country)
    return reads.aggregate(n=Sum("count"))["n"] or 0


def register_impact_figures():
    from django.utils.translation import gettext_lazy as _

    from consortium.registry import register_impact_counter

    register_impact_counter("guides.reads", _("Country guide reads"), guide_reads, order=50)
