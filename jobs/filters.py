"""The job search, shared by the search page and the API: free text, filters and sort orders,
and the facet counts shown next to the filters."""

import hashlib

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from consortium.access import is_signed_in
from consortium.api.framework import SyncFilterSet
from consortium.forms import FastSelect
from consortium.models import FieldOfStudy, UserLanguage

from .models import LANGUAGE_CHOICES, Job, JobKind, JobLanguage, WorkMode

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
    my_languages = django_filters.BooleanFilter(
        label=_("Only jobs whose languages I speak"), method="languages_met", widget=forms.CheckboxInput
    )
    deadline_after = django_filters.DateFilter(label=_("Deadline after"), field_name="deadline", lookup_expr="gte")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="sort_by", empty_label=None, widget=FastSelect
    )

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


# Facets: for each filter, how many of the current results have each value.
FACET_COLUMNS = {"country": "country", "kind": "kind", "work_mode": "work_mode"}
FACET_FLAGS = {"paid": "paid", "erasmus": "erasmus_eligible"}
FACET_SECONDS = 60


def facet_counts(queryset) -> dict:
    """Counts per value of each filter over the search results, and their total, in one query.

    Cached for a minute under the query's own SQL, which carries the searcher's visibility: counting
    every job of a large board reads the whole table (about 100 ms at 200,000 jobs), so counts and
    totals may lag a new posting by up to a minute, while the results themselves are always current.
    """
    facets = {name: {} for name in [*FACET_COLUMNS, *FACET_FLAGS, "language", "field"]}
    columns = ["id", *FACET_COLUMNS.values(), *FACET_FLAGS.values(), "fields_of_study"]
    try:
        sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    except EmptyResultSet:
        return facets | {"total": 0}
    key = "jobs:facets:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    if (cached := cache.get(key)) is not None:
        return cached
    # The statements below name only our own tables and columns; the searcher's input stays in `params`.
    parts = [
        f"SELECT '{name}', {column}, COUNT(*) FROM f GROUP BY {column}"  # noqa: S608
        for name, column in FACET_COLUMNS.items()
    ]
    parts += [
        f"SELECT '{name}', CASE WHEN {column} THEN 'true' ELSE 'false' END, COUNT(*) FROM f GROUP BY {column}"  # noqa: S608
        for name, column in FACET_FLAGS.items()
    ]
    parts.append(
        f"SELECT 'language', l.language, COUNT(*) FROM f JOIN {JobLanguage._meta.db_table} l ON l.job_id = f.id"  # noqa: S608
        " GROUP BY l.language"
    )
    if connection.vendor == "postgresql":
        parts.append(
            "SELECT 'field', x.value, COUNT(*) FROM f CROSS JOIN LATERAL jsonb_array_elements_text(f.fields_of_study)"
            " AS x(value) GROUP BY x.value"
        )
    else:
        parts.append("SELECT 'field', x.value, COUNT(*) FROM f, json_each(f.fields_of_study) AS x GROUP BY x.value")
    with connection.cursor() as cursor:
        cursor.execute(f"WITH f AS ({sql}) " + " UNION ALL ".join(parts), params)
        for name, value, count in cursor.fetchall():
            facets[name][value] = count
    facets["total"] = sum(facets["kind"].values())
    cache.set(key, facets, FACET_SECONDS)
    return facets


def label_with_counts(form, facets: dict) -> None:
    """Write each option's number of results into the filter form's labels."""
    for name, counts in facets.items():
        if name == "total" or name not in form.fields:
            continue
        field = form.fields[name]
        choices = field.widget.choices if name in FACET_FLAGS else field.choices
        labelled = [
            (value, f"{label} ({counts[value]})" if counts.get(value) and value != "" else label)
            for value, label in choices
        ]
        if name in FACET_FLAGS:
            field.widget.choices = labelled
        else:
            field.choices = labelled
