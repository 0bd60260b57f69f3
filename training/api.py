"""/api/v1/training-weeks/ (the catalogue with agendas, for members' systems and calendars) and
/api/v1/training-registrations/ (the registrations of the key's own institution's staff)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from consortium.api.framework import SyncFilterSet
from consortium.api.router import router
from consortium.api.seats import seat_quotas_field
from consortium.models import ApiClient

from .models import Registration, Session, TrainingWeek, WeekStatus


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "09:30"})
class WallClockTimeField(serializers.TimeField):
    """A local time of day in the week's time zone. Not an RFC 3339 "time", which needs an offset."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SessionSerializer(serializers.ModelSerializer):
    module = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    starts_at = WallClockTimeField(read_only=True, help_text="Local time in the week's time zone")
    ends_at = WallClockTimeField(read_only=True, help_text="Local time in the week's time zone")

    class Meta:
        model = Session
        fields = ["id", "day", "starts_at", "ends_at", "title", "room", "speaker", "module"]


class TrainingWeekSerializer(serializers.ModelSerializer):
    host = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    country = serializers.CharField(source="host.country.code", read_only=True, help_text="ISO 3166-1 alpha-2")
    capacity = serializers.IntegerField(source="seat_plan.capacity", read_only=True)
    quotas = seat_quotas_field()
    sessions = SessionSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = TrainingWeek
        fields = [
            "id", "slug", "url", "host", "country", "title", "starts_on", "ends_on", "place", "venue", "city",
            "time_zone", "language", "description", "description_html", "capacity", "quotas", "waitlist",
            "registration_opens_at", "registration_closes_at", "status", "sessions", "created_at", "updated_at",
        ]  # fmt: skip

    def get_url(self, week) -> str:
        return self.context["request"].build_absolute_uri(week.get_absolute_url())


class TrainingWeekViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published and cancelled training weeks with their agendas; keys need `events:read`."""

    serializer_class = TrainingWeekSerializer
    filterset_class = SyncFilterSet
    read_scope = "events:read"

    def get_queryset(self):
        weeks = TrainingWeek.objects.visible_to(self.request.user)
        if isinstance(self.request.user, ApiClient):
            weeks = weeks.exclude(status=WeekStatus.DRAFT)
        return weeks.select_related("host", "seat_plan").prefetch_related(
            Prefetch("sessions", Session.objects.select_related("module")), "seat_plan__quotas__institution"
        )


class RegistrationSerializer(serializers.ModelSerializer):
    week = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person = serializers.CharField(source="person.full_name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)
    seat = serializers.SerializerMethodField(help_text="confirmed, offered, waitlisted, cancelled or expired")

    class Meta:
        model = Registration
        fields = ["id", "week", "institution", "person", "email", "status", "seat", "created_at", "updated_at"]

    def get_seat(self, registration) -> str | None:
        return registration.seat.status if registration.seat_id else None


class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The registrations of the key's own institution's staff; keys need `training:registrations`.
    People see the registrations they may see in the browser."""

    serializer_class = RegistrationSerializer
    filterset_class = SyncFilterSet
    read_scope = "training:registrations"

    def get_queryset(self):
        user = self.request.user
        registrations = (
            Registration.objects.filter(institution_id=user.institution_id)
            if isinstance(user, ApiClient)
            else Registration.objects.visible_to(user)
        )
        return registrations.select_related("week", "institution", "person", "seat")


router.register("training-weeks", TrainingWeekViewSet, basename="training-week")
router.register("training-registrations", RegistrationViewSet, basename="training-registration")
