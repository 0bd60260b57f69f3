"""/api/v1/summer-schools/ (the published editions, for members' systems and calendars) and
/api/v1/summer-school-applications/ (the applications of the key's own institution's students) and
/api/v1/summer-school-ventures/ (the ventures participants founded, the figures the consortium reports) and
/api/v1/summer-school-teams/ (the teams of the editions the key's institution organises)."""

import django_filters
from django.db.models import Prefetch, Q
from rest_framework import mixins, serializers, viewsets

from consortium.access import is_signed_in
from consortium.api.framework import SyncFilterSet
from consortium.api.router import router
from consortium.api.seats import seat_quotas_field
from consortium.models import ApiClient

from .models import Application, Edition, EditionStatus, Team, Venture
from .services import alumni


class EditionCriterionSerializer(serializers.Serializer):
    name = serializers.CharField()
    weight = serializers.IntegerField()


class EditionChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    company = serializers.CharField(source="company.name")


class EditionSerializer(serializers.ModelSerializer):
    host = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    co_organisers = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    # A string, not an enum: the CEFR choice set is already named LevelEnum in the schema (jobs, support).
    language_level = serializers.CharField(read_only=True, help_text="CEFR level: A1, A2, B1, B2, C1 or C2")
    capacity = serializers.IntegerField(source="seat_plan.capacity", read_only=True)
    quotas = seat_quotas_field()
    criteria = EditionCriterionSerializer(many=True, read_only=True)
    challenges = EditionChallengeSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Edition
        fields = [
            "id", "slug", "url", "title", "theme", "year", "host", "co_organisers", "starts_on", "ends_on",
            "place", "on_site_days", "city", "venue", "time_zone", "language", "language_level", "ects", "description",
            "fee", "funding", "capacity", "quotas", "criteria", "challenges", "call_opens_at", "call_closes_at",
            "status", "created_at", "updated_at",
        ]  # fmt: skip

    def get_url(self, edition) -> str:
        return self.context["request"].build_absolute_uri(edition.get_absolute_url())


class EditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published summer school editions; keys need `events:read`."""

    serializer_class = EditionSerializer
    filterset_class = SyncFilterSet
    read_scope = "events:read"
    lookup_field = "slug"

    def get_queryset(self):
        editions = Edition.objects.visible_to(self.request.user)
        if isinstance(self.request.user, ApiClient):
            editions = editions.filter(status=EditionStatus.PUBLISHED)
        return editions.select_related("host", "seat_plan").prefetch_related(
            "co_organisers", "criteria", "challenges__company", "seat_plan__quotas__institution"
        )


class ApplicationSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    student = serializers.CharField(source="student.full_name", read_only=True)
    email = serializers.EmailField(source="student.email", read_only=True)
    seat = serializers.SerializerMethodField(help_text="offered, confirmed, waitlisted, cancelled or expired")

    class Meta:
        model = Application
        fields = [
            "id", "edition", "institution", "student", "email", "field_of_study", "languages", "status", "seat",
            "created_at", "updated_at",
        ]  # fmt: skip

    def get_seat(self, application) -> str | None:
        return application.seat.status if application.seat_id else None


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The applications of the key's own institution's students; keys need `summerschools:applications`.
    People see the applications they review."""

    serializer_class = ApplicationSerializer
    filterset_class = SyncFilterSet
    read_scope = "summerschools:applications"

    def get_queryset(self):
        user = self.request.user
        applications = (
            Application.objects.filter(institution_id=user.institution_id)
            if isinstance(user, ApiClient)
            else Application.objects.reviewable_by(user)
        )
        return applications.select_related("edition", "institution", "student", "seat")


router.register("summer-schools", EditionViewSet, basename="summer-school")
router.register("summer-school-applications", ApplicationViewSet, basename="summer-school-application")


# Alumni directory and ventures


class VentureFilterSet(SyncFilterSet):
    edition = django_filters.CharFilter(field_name="edition__slug", label="The edition's slug.")
    year = django_filters.NumberFilter(field_name="founded_year", label="The year the venture was founded.")

    class Meta:
        model = Venture
        fields = ["edition", "year", "updated_since"]


class VentureSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    description_html = serializers.CharField(read_only=True, help_text="The description rendered and sanitised.")
    founders = serializers.SerializerMethodField(
        help_text="Names of the founders who are in the alumni directory; the others are only counted."
    )
    founder_count = serializers.SerializerMethodField()
    country = serializers.CharField(source="country.code", read_only=True, help_text="ISO 3166-1 alpha-2, or empty")

    class Meta:
        model = Venture
        fields = [
            "id", "name", "description", "description_html", "website", "founded_year", "country", "edition",
            "founders", "founder_count", "created_at", "updated_at",
        ]  # fmt: skip

    def get_founders(self, venture) -> list[str]:
        return [f.full_name for f in venture.founders.all() if getattr(f, "summer_alumni_profile", None) is not None]

    def get_founder_count(self, venture) -> int:
        return len(venture.founders.all())


class VentureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ventures founded by participants of published editions; keys need `events:read`."""

    serializer_class = VentureSerializer
    filterset_class = VentureFilterSet
    read_scope = "events:read"

    def get_queryset(self):
        return alumni.ventures()


router.register("summer-school-ventures", VentureViewSet, basename="summer-school-venture")


# Teams


class TeamMemberSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="pk")
    student = serializers.CharField(source="student.full_name")
    institution = serializers.CharField(source="institution.slug")
    country = serializers.CharField(source="institution.country.code", help_text="ISO 3166-1 alpha-2")
    field_of_study = serializers.CharField(help_text="ISCED-F 2013 broad field")


class TeamSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
    challenge = EditionChallengeSerializer(read_only=True, allow_null=True)
    members = TeamMemberSerializer(source="confirmed_members", many=True, read_only=True)
    shared_at = serializers.DateTimeField(source="edition.teams_shared_at", read_only=True, allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "edition", "number", "name", "challenge", "members", "shared_at", "created_at", "updated_at"]


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The teams of the summer schools the key's institution hosts or co-organises; keys need
    `summerschools:teams`. People see the teams of the editions they organise."""

    serializer_class = TeamSerializer
    filterset_class = SyncFilterSet
    read_scope = "summerschools:teams"

    def get_queryset(self):
        user = self.request.user
        if isinstance(user, ApiClient):
            institution = user.institution_id
            editions = Edition.objects.filter(Q(host_id=institution) | Q(co_organisers=institution))
        elif is_signed_in(user):
            editions = Edition.objects.filter(organisers=user)
        else:
            return Team.objects.none()
        members = Application.objects.confirmed().select_related("student", "institution")
        return (
            Team.objects.filter(edition__in=editions.values("pk"))
            .select_related("edition", "challenge__company")
            .prefetch_related(Prefetch("members", queryset=members.order_by("pk"), to_attr="confirmed_members"))
            .order_by("edition_id", "number")
        )


router.register("summer-school-teams", TeamViewSet, basename="summer-school-team")
