"""/api/v1/support-requests/: the support desk for a signed-in officer's own tools (session only;
member systems' API keys are refused, as the desk is people asking people)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from ..models import (
    ISO_LANGUAGES,
    CefrLevel,
    DegreeLevel,
    FieldOfStudy,
    Institution,
    SupportCategory,
    SupportMessage,
    SupportRequest,
    SupportStatus,
)
from ..permissions import can_use_support_desk
from ..services import support as desk
from .framework import StrictSerializer, SyncFilterSet
from .router import router


class SupportDeskUser(BasePermission):
    message = _("The support desk is for the career staff of member institutions, signed in; API keys cannot use it.")

    def has_permission(self, request, view):
        return can_use_support_desk(request.user)


class SupportLanguageSerializer(StrictSerializer):
    language = serializers.ChoiceField(choices=ISO_LANGUAGES, help_text="ISO 639-1 code")
    level = serializers.ChoiceField(choices=CefrLevel.choices, help_text="CEFR level")


class SupportMessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.full_name", allow_null=True, read_only=True)

    class Meta:
        model = SupportMessage
        fields = ["id", "kind", "author", "body", "created_at"]


class SupportRequestSerializer(serializers.ModelSerializer):
    requesting_institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requester = serializers.CharField(source="requester.full_name", allow_null=True, read_only=True)
    target_country = serializers.CharField(source="target_country.code", read_only=True)
    target_institution = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assignee = serializers.CharField(source="assignee.full_name", allow_null=True, read_only=True)
    languages = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Still waiting for a first response past its due time"
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = SupportRequest
        fields = [
            "id", "url", "requesting_institution", "requester", "target_country", "target_institution",
            "in_shared_queue", "assignee", "category", "subject", "question", "field_of_study", "degree_level",
            "languages", "target_role", "timeframe", "status", "is_overdue", "first_response_due_at",
            "first_response_at", "claimed_at", "answered_at", "resolved_at", "closed_at", "rating", "created_at",
            "updated_at",
        ]  # fmt: skip

    @extend_schema_field(SupportLanguageSerializer(many=True))
    def get_languages(self, support_request):
        return [{"language": code, "level": level} for code, level in support_request.languages]

    def get_url(self, support_request) -> str:
        return self.context["request"].build_absolute_uri(support_request.get_absolute_url())


class SupportRequestDetailSerializer(SupportRequestSerializer):
    messages = serializers.SerializerMethodField(help_text="The thread; internal notes only for the target side")

    class Meta(SupportRequestSerializer.Meta):
        fields = [*SupportRequestSerializer.Meta.fields, "messages"]

    @extend_schema_field(SupportMessageSerializer(many=True))
    def get_messages(self, support_request):
        thread = SupportMessage.objects.visible_to(self.context["request"].user).filter(request=support_request)
        return SupportMessageSerializer(thread.select_related("author"), many=True).data


class OpenSupportRequestSerializer(StrictSerializer):
    target_country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    target_institution = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Institution.objects.active(),
        required=False,
        allow_null=True,
        help_text="Slug of a member institution in the target country",
    )
    category = serializers.ChoiceField(choices=SupportCategory.choices)
    subject = serializers.CharField(max_length=200)
    question = serializers.CharField(max_length=10_000)
    field_of_study = serializers.ChoiceField(
        choices=FieldOfStudy.choices, required=False, allow_blank=True, help_text="ISCED-F 2013 broad field"
    )
    degree_level = serializers.ChoiceField(choices=DegreeLevel.choices, required=False, allow_blank=True)
    languages = SupportLanguageSerializer(many=True, required=False, max_length=10)
    target_role = serializers.CharField(max_length=200, required=False, allow_blank=True)
    timeframe = serializers.CharField(max_length=100, required=False, allow_blank=True)

    def validate_target_country(self, value):
        if value.upper() not in countries:
            raise serializers.ValidationError(
                _("“%(value)s” is not an ISO 3166-1 alpha-2 country code.") % {"value": value}
            )
        return value.upper()

    def validate_languages(self, value):
        if len({item["language"] for item in value}) != len(value):
            raise serializers.ValidationError(_("Each language can be listed once."))
        return value


class PostMessageSerializer(StrictSerializer):
    body = serializers.CharField(max_length=10_000)
    internal = serializers.BooleanField(
        default=False, help_text="An internal note, read only by the target institution's staff"
    )


class SupportRequestFilter(SyncFilterSet):
    status = django_filters.ChoiceFilter(choices=SupportStatus.choices)
    target_country = django_filters.CharFilter(field_name="target_country", lookup_expr="iexact")

    class Meta:
        model = SupportRequest
        fields = ["status", "target_country", "updated_since"]


class SupportRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Second-level support requests the signed-in officer's institution sent or received."""

    permission_classes = [IsAuthenticated, SupportDeskUser]
    filterset_class = SupportRequestFilter

    def get_queryset(self):
        return SupportRequest.objects.visible_to(self.request.user).for_list()

    def get_serializer_class(self):
        return SupportRequestSerializer if self.action == "list" else SupportRequestDetailSerializer

    @extend_schema(
        request=OpenSupportRequestSerializer, responses={status.HTTP_201_CREATED: SupportRequestDetailSerializer}
    )
    def create(self, request):
        """Open a request: it is routed to the target institution's liaison officer, or to the liaison
        officers of the target country, or to the consortium-wide queue."""
        body = OpenSupportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        data["languages"] = [(item["language"], item["level"]) for item in data.get("languages", [])]
        support_request = desk.open_support_request(requester=request.user, **data)
        output = SupportRequestDetailSerializer(support_request, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PostMessageSerializer, responses={status.HTTP_201_CREATED: SupportMessageSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        """Add a message (or, for the target side, an internal note) to the request's thread."""
        support_request = self.get_object()
        body = PostMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = desk.post_support_message(request=support_request, author=request.user, **body.validated_data)
        return Response(SupportMessageSerializer(message).data, status=status.HTTP_201_CREATED)


router.register("support-requests", SupportRequestViewSet, basename="support-request")
