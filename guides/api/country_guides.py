"""/api/v1/guides/: the published editions of the country guides, for member universities to embed.

Guides are public, so the endpoint answers without credentials (anonymous callers are throttled by
the anonymous rate); an API key needs the `guides:read` scope. Read-only: guides change through
the maintainers' review in the browser.
"""

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from consortium.api.framework import HasScope, SyncFilterSet
from consortium.api.router import router
from consortium.forms import country_choices
from consortium.models import ISO_LANGUAGES

from ..models import GuideEdition, GuideSection


class GuideSectionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="get_key_display", help_text="The section's heading in English")
    anchor = serializers.SerializerMethodField(help_text="The section's fragment on the public page")
    html = serializers.CharField(source="body_html", help_text="Rendered and sanitised; safe to embed")
    markdown = serializers.CharField(source="body_markdown")
    is_stale = serializers.SerializerMethodField(help_text="Not reviewed for twelve months")

    class Meta:
        model = GuideSection
        fields = ["key", "title", "anchor", "html", "markdown", "last_reviewed_at", "is_stale"]

    def get_anchor(self, section) -> str:
        return f"#{section.key}"

    def get_is_stale(self, section) -> bool:
        return section.is_stale(self.context.get("now"))


class GuideEditionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="guide.country.code", help_text="ISO 3166-1 alpha-2 code")
    language = serializers.CharField(help_text="ISO 639-1 code")
    revision = serializers.IntegerField(source="current_revision.number", help_text="Number of the published revision")
    revision_published_at = serializers.DateTimeField(source="current_revision.published_at")
    last_reviewed_at = serializers.SerializerMethodField(help_text="The most recent review of any section")
    url = serializers.SerializerMethodField(help_text="The public page")
    sections = serializers.SerializerMethodField(help_text="The written sections, in reading order")

    class Meta:
        model = GuideEdition
        fields = [
            "id", "country", "language", "url", "revision", "revision_published_at", "last_reviewed_at",
            "sections", "updated_at",
        ]  # fmt: skip

    def _sections(self, edition) -> list[GuideSection]:
        return sorted((s for s in edition.written_sections), key=lambda section: section.order)

    def get_url(self, edition) -> str:
        return self.context["request"].build_absolute_uri(edition.get_absolute_url())

    def get_last_reviewed_at(self, edition) -> str | None:
        moments = [s.last_reviewed_at for s in edition.written_sections if s.last_reviewed_at]
        return serializers.DateTimeField().to_representation(max(moments)) if moments else None

    @extend_schema_field(GuideSectionSerializer(many=True))
    def get_sections(self, edition):
        return GuideSectionSerializer(self._sections(edition), many=True, context=self.context).data


class CountryCodeField(django_filters.fields.ChoiceField):
    """An ISO 3166-1 alpha-2 code, in either case."""

    def to_python(self, value):
        return super().to_python(value).upper()


class CountryCodeFilter(django_filters.ChoiceFilter):
    field_class = CountryCodeField


class GuideEditionFilter(SyncFilterSet):
    country = CountryCodeFilter(
        field_name="guide__country", choices=country_choices, label=_("ISO 3166-1 alpha-2 country code")
    )
    language = django_filters.ChoiceFilter(choices=ISO_LANGUAGES, label=_("ISO 639-1 language code"))

    class Meta:
        model = GuideEdition
        fields = ["country", "language", "updated_since"]


class GuideViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published editions of the country guides, each with its sections as sanitised HTML and as
    Markdown. Public: no credentials needed; API keys need `guides:read`."""

    serializer_class = GuideEditionSerializer
    filterset_class = GuideEditionFilter
    permission_classes = [HasScope]
    read_scope = "guides:read"

    def get_queryset(self):
        sections = GuideSection.objects.written()
        return (
            GuideEdition.objects.published()
            .select_related("guide", "current_revision")
            .prefetch_related(Prefetch("sections", sections, to_attr="written_sections"))
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


router.register("guides", GuideViewSet, basename="guide")
