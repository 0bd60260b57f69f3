"""/api/v1/resources/: the resource library for member universities' sites and the signed-in staff's tools.

An API key with the `resources:read` scope reads what students may: resources for students, or for
students and staff; staff-only material stays in the library. A signed-in person reads what the
library shows them. Read-only: resources are shared in the library itself.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from consortium.api.framework import SyncFilterSet
from consortium.api.router import router

from ..models import Resource
from ..services.search import ResourceFilter


class ResourceFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The name the file was shared under"))
    kind = serializers.ChoiceField(choices=["pdf", "docx", "pptx", "odt", "odp"], help_text=_("What its content is"))
    size = serializers.IntegerField(help_text=_("Bytes"))
    download_url = serializers.URLField(help_text=_("Downloads need a signed-in member; each counts"))


class ResourceSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text=_("The sharing institution"))
    countries = serializers.ListField(child=serializers.CharField(), help_text=_("ISO 3166-1 alpha-2 codes"))
    tags = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField(help_text=_("ISO 639-1 code"))
    link = serializers.SerializerMethodField(help_text=_("The address of a link resource"))
    file = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id", "title", "description", "description_html", "kind", "language", "audience", "countries", "tags",
            "owner", "link", "file", "page_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_link(self, resource) -> str | None:
        return resource.url or None

    @extend_schema_field(ResourceFileSerializer(allow_null=True))
    def get_file(self, resource):
        if not resource.file:
            return None
        request = self.context["request"]
        return {
            "name": resource.file_name,
            "kind": resource.file_kind,
            "size": resource.file_size,
            "download_url": request.build_absolute_uri(resource.get_open_url()),
        }

    def get_page_url(self, resource) -> str:
        return self.context["request"].build_absolute_uri(resource.get_absolute_url())


class ResourceApiFilter(SyncFilterSet, ResourceFilter):
    """The library's filters (free text, kind, language, audience for staff, country, tag) and
    `updated_since` for incremental sync."""

    class Meta(ResourceFilter.Meta):
        fields = [*ResourceFilter.Meta.fields, "updated_since"]


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resources of the library the caller may read. Keys need `resources:read`."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceApiFilter
    read_scope = "resources:read"

    def get_queryset(self):
        return Resource.objects.visible_to(self.request.user).select_related("owner")


router.register("resources", ResourceViewSet, basename="resource")
