"""/api/v1/matching/: a signed-in person's own recommendations and introductions (session only; member
systems' API keys are refused, as matching is people meeting people)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from consortium.api.framework import StrictSerializer
from consortium.api.router import router

from . import permissions, services
from .models import CooperationOffer, Introduction, MatchingProfile, Recommendation, display_name, short_name
from .reasons import describe, describe_offer


class MatchingUser(BasePermission):
    message = _("Matching is for signed-in people; API keys cannot use it.")

    def has_permission(self, request, view):
        return permissions.can_use_matching(request.user)


class PersonSerializer(serializers.Serializer):
    """Someone as the other person sees them: never their e-mail (see contact_email)."""

    profile = serializers.SerializerMethodField(help_text="Their profile's id, if they have one")
    name = serializers.SerializerMethodField(help_text="Their name; never their e-mail address")
    institution = serializers.CharField(source="institution.short_name", default=None, allow_null=True)

    def get_name(self, user) -> str:
        return display_name(user)

    def get_profile(self, user) -> int | None:
        profile = getattr(user, "matching_profile", None)
        return profile.pk if profile else None


class RecommendedOfferSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()

    class Meta:
        model = CooperationOffer
        fields = ["id", "kind", "title", "summary", "sought", "seeks", "topics", "expires_at", "owner"]


class RecommendedProfileSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="user")

    class Meta:
        model = MatchingProfile
        fields = ["id", "person", "headline", "bio", "topics", "looks_for", "offers"]


class RecommendationSerializer(serializers.ModelSerializer):
    profile = RecommendedProfileSerializer(allow_null=True)
    offer = RecommendedOfferSerializer(allow_null=True)
    reason = serializers.SerializerMethodField(help_text="Why, in plain words, in the request's language")

    class Meta:
        model = Recommendation
        fields = ["id", "score", "reason", "reasons", "profile", "offer"]

    def get_reason(self, recommendation) -> str:
        if recommendation.profile_id:
            return describe(recommendation.reasons, short_name(recommendation.profile.user))
        return describe_offer(recommendation.reasons)


class RecommendationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in person's stored recommendations, best first (at most 30)."""

    permission_classes = [IsAuthenticated, MatchingUser]
    serializer_class = RecommendationSerializer
    pagination_class = None

    def get_queryset(self):
        return Recommendation.objects.none()  # the list below reads the stored rows its own way

    def list(self, request):
        rows = Recommendation.objects.shown_to(request.user)
        return Response(self.get_serializer(rows, many=True).data)


class IntroductionSerializer(serializers.ModelSerializer):
    sender = PersonSerializer()
    recipient = PersonSerializer()
    offer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    contact_email = serializers.SerializerMethodField(
        help_text="The other person's e-mail address: only once the introduction is accepted"
    )

    class Meta:
        model = Introduction
        fields = [
            "id", "sender", "recipient", "offer", "message", "status", "contact_email", "expires_at",
            "responded_at", "created_at", "updated_at",
        ]  # fmt: skip

    def get_contact_email(self, introduction) -> str | None:
        user = self.context["request"].user
        if permissions.can_see_contact_details(user, introduction):
            return introduction.other(user).email
        return None


class RequestIntroductionSerializer(StrictSerializer):
    profile = serializers.PrimaryKeyRelatedField(
        queryset=MatchingProfile.objects.select_related("user"),
        required=False,
        help_text="The profile of the person to meet",
    )
    offer = serializers.PrimaryKeyRelatedField(
        queryset=CooperationOffer.objects.select_related("owner"), required=False, help_text="Or a cooperation offer"
    )
    # Length is the service's check, so that the message names the limit.
    message = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ReportSerializer(StrictSerializer):
    # Length and emptiness are the service's checks, so that the message names the limit.
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)
    block = serializers.BooleanField(default=True, help_text="Also block them (the default)")


class IntroductionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Introductions the signed-in person asked for or was asked for."""

    permission_classes = [IsAuthenticated, MatchingUser]
    serializer_class = IntroductionSerializer

    def get_queryset(self):
        return Introduction.objects.visible_to(self.request.user).select_related(
            "sender__institution", "recipient__institution", "sender__matching_profile", "recipient__matching_profile"
        )

    @extend_schema(request=RequestIntroductionSerializer, responses={status.HTTP_201_CREATED: IntroductionSerializer})
    def create(self, request):
        """Ask for an introduction, to a person by their profile or to an offer's owner."""
        body = RequestIntroductionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        introduction = services.request_introduction(sender=request.user, **body.validated_data)
        return Response(self.get_serializer(introduction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=IntroductionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: both see each other's e-mail address from now on."""
        introduction = services.accept_introduction(introduction=self.get_object(), by=request.user)
        return Response(self.get_serializer(introduction).data)

    @extend_schema(request=None, responses=IntroductionSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        introduction = services.decline_introduction(introduction=self.get_object(), by=request.user)
        return Response(self.get_serializer(introduction).data)

    @extend_schema(request=None, responses={status.HTTP_204_NO_CONTENT: None})
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        """Block the other person in this introduction: neither reaches the other again."""
        introduction = self.get_object()
        services.block_user(blocker=request.user, blocked=introduction.other(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ReportSerializer, responses={status.HTTP_204_NO_CONTENT: None})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Report the other person in this introduction to the consortium's admins (and block them,
        unless `block` is false)."""
        introduction = self.get_object()
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.report_user(reporter=request.user, reported=introduction.other(request.user), **body.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


router.register("matching/recommendations", RecommendationViewSet, basename="matching-recommendation")
router.register("matching/introductions", IntroductionViewSet, basename="matching-introduction")
