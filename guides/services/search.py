"""Search: the resource library's filters and facets, and the one search over guide editions and
resources, each text in its own language.

On PostgreSQL a text is searched in the text-search configuration of its language ('german' for
a German edition, 'simple' for a language PostgreSQL has no stemmer for). Resources keep their
vector in a GIN-indexed column, written by services.resources.save_resource; guide sections are
turned into vectors when searched. On SQLite the search is a plain case-insensitive match, unranked.
"""

import re
from dataclasses import dataclass

import django_filters
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from consortium.facets import Facets
from consortium.forms import FilterSet, country_choices, iso_language_choices

from ..models import GuideSection, Resource, ResourceAudience, ResourceKind
from ..permissions import is_library_staff

# ISO 639-1 → the PostgreSQL text-search configuration of the language (those PostgreSQL 13 and
# later ship); any other language is searched word for word with 'simple'.
REGCONFIGS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
SIMPLE = "simple"
# A guide section's text weighs as a resource's tags: less than a title, more than a description.
SECTION_WEIGHT = "B"
# Around the matched words of a snippet, replaced by <mark> once the text is escaped.
_START, _STOP = "\u27e6", "\u27e7"


def regconfig_for(language: str) -> str:
    return REGCONFIGS.get(language, SIMPLE)


def regconfig_of(field: str) -> Case:
    """The configuration of each row's language, for vectors and queries computed in SQL."""
    whens = [When(**{field: code}, then=Value(config)) for code, config in REGCONFIGS.items()]
    return Case(*whens, default=Value(SIMPLE), output_field=CharField())


def _query(text: str, config) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=config)


def _any_language_query(text: str) -> SearchQuery:
    """The text parsed in every configuration at once: a constant query, so that the GIN index of
    the stored vectors can find the candidates before each row is matched in its own language."""
    query = _query(text, SIMPLE)
    for config in sorted(set(REGCONFIGS.values())):
        query |= _query(text, config)
    return query


def _words_match(text: str, *fields: str) -> Q:
    match = Q()
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        match &= any_field
    return match


def search_resources(queryset, text: str):
    """Resources matching the text, annotated with `rank` on PostgreSQL."""
    if connection.vendor != "postgresql":
        return queryset.filter(_words_match(text, "title", "description", "tags"))
    own = _query(text, regconfig_of("language"))
    return (
        queryset.filter(search_vector=_any_language_query(text))
        .filter(search_vector=own)
        .annotate(rank=SearchRank(F("search_vector"), own))
    )


# The resource library's list: filters and facets


class ResourceFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ResourceKind.choices, empty_label=_("Any kind"))
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=iso_language_choices, empty_label=_("Any language")
    )
    audience = django_filters.ChoiceFilter(
        label=_("Audience"), choices=ResourceAudience.choices, empty_label=_("Any audience")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=country_choices,
        method="by_country",
        empty_label=_("Any country"),
    )
    tag = django_filters.CharFilter(label=_("Tag"), method="by_tag", max_length=40)

    class Meta:
        model = Resource
        fields = ["q", "kind", "language", "audience", "country", "tag"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Students never see staff-only resources, so they do not filter by audience either.
        if not is_library_staff(getattr(request, "user", None)):
            del self.filters["audience"]

    def search(self, queryset, name, value):
        return search_resources(queryset, value)

    def by_country(self, queryset, name, value: str):
        return queryset.with_country(value)

    def by_tag(self, queryset, name, value):
        return queryset.with_tag(" ".join(value.split()).lower())

    @property
    def qs(self):
        queryset = super().qs
        if "rank" in queryset.query.annotations:
            return queryset.order_by("-rank", "-created_at", "-pk")
        return queryset.order_by("-created_at", "-pk")


RESOURCE_FACETS = Facets(
    key="resources",
    columns={"kind": "kind", "language": "language", "audience": "audience"},
    lists={"country": "countries", "tag": "tags"},
)


# One search over guides and resources


class ResultType:
    GUIDE = "guide"
    RESOURCE = "resource"


TYPE_CHOICES = [
    ("", _("Guides and resources")),
    (ResultType.GUIDE, _("Country guides")),
    (ResultType.RESOURCE, _("Resources")),
]


@dataclass
class SearchResult:
    type: str
    type_label: str
    title: str
    context: str
    snippet: SafeString
    language: str
    language_name: str
    url: str


def _published_sections():
    return GuideSection.objects.written().filter(edition__current_revision__isnull=False)


def search_everything(*, text: str, user, types: str = "", language: str = ""):
    """Published guide sections and the resources the user may see that match the text, best first:
    a queryset of (result_type, result_id, score) rows to paginate; results_for() turns a page of
    them into results."""
    sections = _published_sections()
    resources = Resource.objects.visible_to(user)
    if language:
        sections = sections.filter(edition__language=language)
        resources = resources.filter(language=language)
    if connection.vendor == "postgresql":
        config = regconfig_of("edition__language")
        query = _query(text, config)
        document = SearchVector("body_markdown", config=config, weight=SECTION_WEIGHT)
        sections = sections.annotate(document=document).filter(document=query)
        sections = sections.annotate(score=SearchRank(F("document"), query))
        resources = search_resources(resources, text).annotate(score=F("rank"))
    else:
        sections = sections.filter(_words_match(text, "body_markdown")).annotate(score=Value(0.0))
        resources = search_resources(resources, text).annotate(score=Value(0.0))
    parts = []
    if types in ("", ResultType.GUIDE):
        parts.append(_rows(sections, ResultType.GUIDE))
    if types in ("", ResultType.RESOURCE):
        parts.append(_rows(resources, ResultType.RESOURCE))
    if len(parts) == 1:
        return parts[0].order_by("-result_score", "result_type", "-result_id")
    return parts[0].union(parts[1], all=True).order_by("-result_score", "result_type", "-result_id")


def _rows(queryset, kind: str):
    return (
        queryset.order_by()
        .annotate(result_type=Value(kind, output_field=CharField()), result_id=F("pk"), result_score=F("score"))
        .values_list("result_type", "result_id", "result_score")
    )


def results_for(rows, *, text: str) -> list[SearchResult]:
    """The results of one page of search_everything(), with their snippets: a query per type."""
    ids = {ResultType.GUIDE: [], ResultType.RESOURCE: []}
    for kind, pk, _score in rows:
        ids[kind].append(pk)
    found = {}
    if ids[ResultType.GUIDE]:
        for section in _sections_with_snippets(ids[ResultType.GUIDE], text):
            found[ResultType.GUIDE, section.pk] = SearchResult(
                type=ResultType.GUIDE,
                type_label=str(_("Country guide")),
                title=str(section.get_key_display()),
                context=str(section.edition.guide.country.name),
                snippet=_snippet(section.snippet, text),
                language=section.edition.language,
                language_name=section.edition.language_name,
                url=section.get_absolute_url(),
            )
    if ids[ResultType.RESOURCE]:
        for resource in _resources_with_snippets(ids[ResultType.RESOURCE], text):
            found[ResultType.RESOURCE, resource.pk] = SearchResult(
                type=ResultType.RESOURCE,
                type_label=str(resource.get_kind_display()),
                title=resource.title,
                context=resource.owner.short_name,
                snippet=_snippet(resource.snippet, text),
                language=resource.language,
                language_name=resource.get_language_display(),
                url=resource.get_absolute_url(),
            )
    return [found[kind, pk] for kind, pk, _score in rows if (kind, pk) in found]


def _headline(field: str, text: str, config):
    return SearchHeadline(
        field,
        _query(text, config),
        config=config,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _sections_with_snippets(ids, text):
    sections = GuideSection.objects.filter(pk__in=ids).select_related("edition__guide")
    if connection.vendor == "postgresql":
        return sections.annotate(snippet=_headline("body_markdown", text, regconfig_of("edition__language")))
    return [_with_excerpt(section, section.body_markdown, text) for section in sections]


def _resources_with_snippets(ids, text):
    resources = Resource.objects.filter(pk__in=ids).select_related("owner")
    if connection.vendor == "postgresql":
        return resources.annotate(snippet=_headline("description", text, regconfig_of("language")))
    return [_with_excerpt(resource, resource.description or resource.title, text) for resource in resources]


EXCERPT_CHARACTERS = 220


def _with_excerpt(row, body: str, text: str):
    """SQLite: the text around the first searched word, the words marked."""
    lowered, start = body.lower(), 0
    for word in text.lower().split():
        if (found := lowered.find(word)) >= 0:
            start = max(found - EXCERPT_CHARACTERS // 3, 0)
            break
    excerpt = body[start : start + EXCERPT_CHARACTERS]
    for word in text.split():
        excerpt = re.sub(f"({re.escape(word)})", rf"{_START}\1{_STOP}", excerpt, flags=re.IGNORECASE)
    row.snippet = ("… " if start else "") + excerpt + (" …" if start + EXCERPT_CHARACTERS < len(body) else "")
    return row


_MARKDOWN_MARKS = re.compile(r"(^|\s)(?:#{1,6}|>)\s|[*_`]+|\[([^\]]*)\]\([^)]*\)")


def _snippet(raw: str, text: str) -> SafeString:
    """Escaped plain text with the matched words in <mark>: the Markdown marks taken out, link
    texts kept, nothing of the author's markup passed through."""
    plain = _MARKDOWN_MARKS.sub(lambda m: m.group(2) or (m.group(1) or ""), raw or "")
    plain = " ".join(plain.split())
    if plain.count(_START) != plain.count(_STOP):  # the author's own text held a marker
        plain = plain.replace(_START, "").replace(_STOP, "")
    html = escape(plain).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> added
