"""The core's endpoints: institutions and their liaison officers, the company network, me."""

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..models import ApiClient, Company, CompanySize, Institution, LiaisonNomination, Role, Sector
from .framework import StrictModelSerializer, SyncFilterSet
from .router import router


class LiaisonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="officer.full_name")
    email = serializers.EmailField(source="officer.email")

    class Meta:
        model = LiaisonNomination
        fields = ["full_name", "email", "starts_at"]


class InstitutionSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    liaison = serializers.SerializerMethodField()

    class Meta:
        model = Institution
        fields = ["slug", "name", "short_name", "country", "city", "website", "is_active", "liaison", "updated_at"]

    @extend_schema_field(LiaisonSerializer(allow_null=True))
    def get_liaison(self, institution):
        active = institution.active_liaison
        return LiaisonSerializer(active[0]).data if active else None


class InstitutionFilter(SyncFilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")

    class Meta:
        model = Institution
        fields = ["country", "updated_since"]


class InstitutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Member institutions, each with its current liaison officer."""

    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    lookup_field = "slug"

    def get_queryset(self):
        active = LiaisonNomination.objects.active().select_related("officer")
        return Institution.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("liaison_nominations", active, to_attr="active_liaison")
        )

    @extend_schema(responses=LiaisonSerializer)
    @action(detail=True)
    def liaison(self, request, slug=None):
        """The institution's current liaison officer; 404 while none is nominated."""
        institution = self.get_object()
        if not institution.active_liaison:
            raise Http404
        return Response(LiaisonSerializer(institution.active_liaison[0]).data)


class CompanySerializer(StrictModelSerializer):
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    sector = serializers.ChoiceField(choices=Sector.choices, help_text="NACE Rev. 2 section letter")
    size = serializers.ChoiceField(choices=CompanySize.choices)

    class Meta:
        model = Company
        fields = ["slug", "name", "country", "city", "website", "sector", "size", "created_at", "updated_at"]
        read_only_fields = ["slug", "created_at", "updated_at"]

    def to_representation(self, company):
        data = super().to_representation(company)
        data["country"] = company.country.code
        return data

    def validate_country(self, value):
        from django_countries import countries

        code = value.upper()
        if code not in countries:
            raise serializers.ValidationError(f"“{value}” is not an ISO 3166-1 alpha-2 country code.")
        return code


class CompanyFilter(SyncFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    sector = django_filters.ChoiceFilter(choices=Sector.choices)
    size = django_filters.ChoiceFilter(choices=CompanySize.choices)

    class Meta:
        model = Company
        fields = ["q", "country", "sector", "size", "updated_since"]


class CompanyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The shared company network. Adding a company needs the `companies:write` scope (or a staff role)."""

    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    lookup_field = "slug"
    write_scope = "companies:write"

    def get_queryset(self):
        return Company.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.add_company(company=Company(**serializer.validated_data), by=self.request.user)


class MeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["user", "api_key"])
    institution = serializers.CharField(allow_null=True, help_text="Slug of the institution")
    email = serializers.EmailField(allow_null=True)
    full_name = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    api_key = serializers.CharField(allow_null=True, help_text="Name of the key")
    scopes = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """Who the request is made as: a signed-in person or an institution's API key."""

    @extend_schema(responses={status.HTTP_200_OK: MeSerializer})
    def get(self, request):
        user = request.user
        institution = user.institution.slug if user.institution_id else None
        if isinstance(user, ApiClient):
            data = {
                "kind": "api_key",
                "institution": institution,
                "email": None,
                "full_name": None,
                "roles": [],
                "api_key": user.api_key.name,
                "scopes": user.api_key.scopes,
            }
        else:
            data = {
                "kind": "user",
                "institution": institution,
                "email": user.email,
                "full_name": user.full_name,
                "roles": sorted(user.roles),
                "api_key": None,
                "scopes": [],
            }
        return Response(MeSerializer(data).data)


router.register("institutions", InstitutionViewSet, basename="institution")
router.register("companies", CompanyViewSet, basename="company")
