"""The job search, shared by the search page and the API: free text, filters and sort orders."""

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from consortium.api.framework import SyncFilterSet
from consortium.forms import FastSelect

from .models import LANGUAGE_CHOICES, FieldOfStudy, Job, JobKind, WorkMode

SORTS = [("relevance", _("Relevance")), ("newest", _("Newest")), ("deadline", _("Deadline"))]


# Callables: a form copies its fields for every request, and copying hundreds of choices is slow.
def country_choices():
    return list(countries)


def language_choices():
    return LANGUAGE_CHOICES


class AnyBooleanWidget(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("Any")), ("true", _("Yes")), ("false", _("No")))


class JobFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=country_choices, empty_label=_("Any country"), widget=FastSelect
    )
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=JobKind.choices, empty_label=_("Any kind"), widget=FastSelect
    )
    work_mode = django_filters.ChoiceFilter(
        label=_("Work mode"), choices=WorkMode.choices, empty_label=_("Any"), widget=FastSelect
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=language_choices,
        field_name="languages__language",
        empty_label=_("Any"),
        widget=FastSelect,
    )
    field = django_filters.ChoiceFilter(
        label=_("Field of study"),
        choices=FieldOfStudy.choices,
        method="field_of_study",
        empty_label=_("Any"),
        widget=FastSelect,
    )
    paid = django_filters.BooleanFilter(label=_("Paid"), widget=AnyBooleanWidget())
    erasmus = django_filters.BooleanFilter(
        label=_("Erasmus+ eligible"), field_name="erasmus_eligible", widget=AnyBooleanWidget()
    )
    deadline_after = django_filters.DateFilter(label=_("Deadline after"), field_name="deadline", lookup_expr="gte")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="sort_by", empty_label=None, widget=FastSelect
    )

    class Meta:
        model = Job
        fields = ["q", "country", "city", "kind", "work_mode", "language", "field", "paid", "erasmus", "deadline_after"]

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
    """The API's filters: the search page's, and `updated_since` for incremental sync."""

    class Meta(JobFilter.Meta):
        fields = [*JobFilter.Meta.fields, "updated_since"]
