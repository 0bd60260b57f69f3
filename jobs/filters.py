"""The job search, shared by the search page and the API: free text, filters and sort orders,
and the facet counts shown next to the filters."""

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from consortium.access import is_signed_in
from consortium.api.framework import SyncFilterSet
from consortium.facets import Facets
from consortium.forms import FilterSet, country_choices, iso_language_choices
from consortium.models import FieldOfStudy, UserLanguage

from .models import Job, JobKind, JobLanguage, WorkMode

SORTS = [("relevance", _("Relevance")), ("newest", _("Newest")), ("deadline", _("Deadline"))]


class AnyBooleanWidget(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("Any")), ("true", _("Yes")), ("false", _("No")))


class JobFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    country = django_filters.ChoiceFilter(label=_("Country"), choices=country_choices, empty_label=_("Any country"))
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=JobKind.choices, empty_label=_("Any kind"))
    work_mode = django_filters.ChoiceFilter(label=_("Work mode"), choices=WorkMode.choices, empty_label=_("Any"))
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=iso_language_choices,
        field_name="languages__language",
        empty_label=_("Any"),
    )
    field = django_filters.ChoiceFilter(
        label=_("Field of study"),
        choices=FieldOfStudy.choices,
        method="field_of_study",
        empty_label=_("Any"),
    )
    paid = django_filters.BooleanFilter(label=_("Paid"), widget=AnyBooleanWidget())
    erasmus = django_filters.BooleanFilter(
        label=_("Erasmus+ eligible"), field_name="erasmus_eligible", widget=AnyBooleanWidget()
    )
    my_languages = django_filters.BooleanFilter(
        label=_("Only jobs whose languages I speak"), method="languages_met", widget=forms.CheckboxInput
    )
    deadline_after = django_filters.DateFilter(label=_("Deadline after"), field_name="deadline", lookup_expr="gte")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORTS, method="sort_by", empty_label=None)

    class Meta:
        model = Job
        fields = [
            "q", "country", "city", "kind", "work_mode", "language", "my_languages", "field", "paid", "erasmus",
            "deadline_after",
        ]  # fmt: skip

    def search(self, queryset, name, value):
        if connection.vendor == "postgresql":
            query = SearchQuery(value, search_type="websearch", config="simple")
            return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        # SQLite: a plain match, no ranking.
        words = Q()
        for word in value.split():
            words &= Q(title__icontains=word) | Q(description__icontains=word) | Q(company__name__icontains=word)
        return queryset.filter(words)

    def field_of_study(self, queryset, name, value):
        if connection.vendor == "postgresql":
            return queryset.filter(fields_of_study__contains=[value])
        return queryset.filter(fields_of_study__icontains=f'"{value}"')

    def languages_met(self, queryset, name, value):
        """Jobs none of whose required languages is above the level on the searcher's profile
        (CEFR levels sort as strings: A1 < A2 < B1 < … < C2)."""
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        unmet = JobLanguage.objects.filter(job=OuterRef("pk"))
        if is_signed_in(user):
            for spoken in UserLanguage.objects.filter(user=user):
                unmet = unmet.exclude(language=spoken.language, level__lte=spoken.level)
        return queryset.filter(~Exists(unmet))

    def sort_by(self, queryset, name, value):
        return queryset  # applied in .qs, after every filter, so that relevance can see the search

    @property
    def qs(self):
        queryset = super().qs  # validates the form first
        data = getattr(self.form, "cleaned_data", {})
        if data.get("language"):
            queryset = queryset.distinct()
        sort = data.get("sort")
        if sort == "deadline":
            return queryset.order_by(F("deadline").asc(nulls_last=True), "-pk")
        if (sort or "relevance") == "relevance" and "rank" in queryset.query.annotations:
            return queryset.order_by("-rank", "-published_at", "-pk")
        return queryset.order_by("-published_at", "-pk")


class JobSyncFilter(SyncFilterSet, JobFilter):
    """The API's filters: the search page's, and `updated_since` for incremental sync. A system has no
    languages of its own to compare, so it filters by language explicitly."""

    my_languages = None

    class Meta(JobFilter.Meta):
        fields = [*(name for name in JobFilter.Meta.fields if name != "my_languages"), "updated_since"]


# Facets: for each filter, how many of the current results have each value (see consortium.facets).
JOB_FACETS = Facets(
    key="jobs",
    columns={"country": "country", "kind": "kind", "work_mode": "work_mode"},
    flags={"paid": "paid", "erasmus": "erasmus_eligible"},
    lists={"field": "fields_of_study"},
    related={"language": (JobLanguage._meta.db_table, "job_id", "language")},
)
