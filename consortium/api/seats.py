"""The seats of an event as the API shows them; training weeks and summer schools share it."""

from rest_framework import serializers

from ..models import SeatQuota


class SeatQuotaSerializer(serializers.ModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The institution's slug")

    class Meta:
        model = SeatQuota
        fields = ["institution", "seats"]
        read_only_fields = fields


def seat_quotas_field() -> SeatQuotaSerializer:
    """A plan's quotas, read from `seat_plan.quotas` (prefetch `seat_plan__quotas__institution`)."""
    return SeatQuotaSerializer(source="seat_plan.quotas", many=True, read_only=True)
