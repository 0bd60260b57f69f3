"""/api/v1/jobs/: the job board for member universities' systems, with sync by cursor and
idempotent upserts by the institution's own external id."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from consortium.access import staff_institution_id
from consortium.api.framework import StrictModelSerializer, StrictSerializer
from consortium.api.router import router
from consortium.models import Company, Institution

from . import services
from .filters import JobSyncFilter
from .models import EDITABLE_FIELDS, LANGUAGE_CHOICES, CefrLevel, FieldOfStudy, Job


class JobLanguageSerializer(StrictSerializer):
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, help_text="ISO 639-1 code")
    level = serializers.ChoiceField(choices=CefrLevel.choices, help_text="CEFR level")


class JobSerializer(StrictModelSerializer):
    institution = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    company = serializers.SlugRelatedField(slug_field="slug", queryset=Company.objects.all())
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    fields_of_study = serializers.ListField(
        child=serializers.ChoiceField(choices=FieldOfStudy.choices),
        required=False,
        help_text="ISCED-F 2013 broad fields",
    )
    skills = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=50)
    languages = JobLanguageSerializer(many=True, required=False)
    partner_institutions = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=Institution.objects.active()
    )
    publish = serializers.BooleanField(write_only=True, required=False, help_text="Publish the job once saved")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "institution", *EDITABLE_FIELDS, "skills", "languages", "description_html", "status", "publish",
            "url", "created_at", "updated_at", "published_at",
        ]  # fmt: skip
        read_only_fields = ["id", "description_html", "status", "created_at", "updated_at", "published_at"]

    def get_url(self, job) -> str:
        return self.context["request"].build_absolute_uri(job.get_absolute_url())

    def to_representation(self, job):
        data = super().to_representation(job)
        data["country"] = job.country.code
        return data

    def validate_country(self, value):
        from django_countries import countries

        if value.upper() not in countries:
            raise serializers.ValidationError(f"“{value}” is not an ISO 3166-1 alpha-2 country code.")
        return value.upper()

    def save_job(self, *, job: Job, by) -> Job:
        data = dict(self.validated_data)
        languages = [(item["language"], item["level"]) for item in data.pop("languages", [])]
        partners = data.pop("partner_institutions", [])
        publish = data.pop("publish", False)
        for name, value in data.items():
            setattr(job, name, value)
        with transaction.atomic():
            job = services.save_job(job=job, languages=languages, partner_institutions=partners, by=by)
            if publish:
                job = services.publish_job(job=job, by=by)
        return job


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Jobs the caller may see. Keys need `jobs:read` to read and `jobs:write` to write; writes are
    for the key's own institution."""

    serializer_class = JobSerializer
    filterset_class = JobSyncFilter
    read_scope = "jobs:read"
    write_scope = "jobs:write"

    def get_queryset(self):
        return (
            Job.objects.visible_to(self.request.user)
            .select_related("company", "institution")
            .prefetch_related("partner_institutions", "languages")
        )

    def _own_institution(self) -> Institution:
        institution_id = (
            self.request.user.institution_id if self.request.auth else staff_institution_id(self.request.user)
        )
        if not institution_id:
            raise PermissionDenied("Only an institution's staff or systems post jobs.")
        return Institution.objects.get(pk=institution_id)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = serializer.save_job(job=Job(institution=self._own_institution()), by=request.user)
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        job = self.get_object()
        serializer = self.get_serializer(job, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return Response(self.get_serializer(serializer.save_job(job=job, by=request.user)).data)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        job = services.close_job(job=self.get_object(), by=request.user)
        return Response(self.get_serializer(job).data)

    @extend_schema(request=JobSerializer, responses={200: JobSerializer, 201: JobSerializer})
    @action(detail=False, methods=["put"], url_path=r"by-external-id/(?P<external_id>[^/]+)")
    def upsert(self, request, external_id=None):
        """Create or replace the institution's job with this external id; the same call twice changes nothing."""
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send the job as a JSON object."]})
        institution = self._own_institution()
        job = Job.objects.filter(institution=institution, external_id=external_id).first()
        if job is not None:
            job = get_object_or_404(self.get_queryset(), pk=job.pk)
        serializer = self.get_serializer(job, data={**request.data, "external_id": external_id})
        serializer.is_valid(raise_exception=True)
        saved = serializer.save_job(job=job or Job(institution=institution), by=request.user)
        return Response(self.get_serializer(saved).data, status=status.HTTP_200_OK if job else status.HTTP_201_CREATED)


router.register("jobs", JobViewSet, basename="job")
