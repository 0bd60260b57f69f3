"""/api/v1/summer-schools/ (the published editions, for members' systems and calendars) and
/api/v1/summer-school-applications/ (the applications of the key's own institution's students)."""

from rest_framework import mixins, serializers, viewsets

from consortium.api.framework import SyncFilterSet
from consortium.api.router import router
from consortium.api.seats import seat_quotas_field
from consortium.models import ApiClient

from .models import Application, Edition, EditionStatus


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
            "place", "on_site_days", "city", "venue", "language", "language_level", "ects", "description", "fee",
            "funding", "capacity", "quotas", "criteria", "challenges", "call_opens_at", "call_closes_at", "status",
            "created_at", "updated_at",
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
