"""/api/v1/jobs/: the job board for member universities' systems, with sync by cursor and
idempotent upserts by the institution's own external id."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from consortium.access import staff_institution_id
from consortium.api.framework import LimitedJSONParser, StrictModelSerializer, StrictSerializer, field_errors
from consortium.api.router import router
from consortium.models import Company, FieldOfStudy, Institution

from . import permissions, services
from .filters import JobSyncFilter
from .models import EDITABLE_FIELDS, LANGUAGE_CHOICES, CefrLevel, Job, JobLanguage


class JobLanguageSerializer(StrictSerializer):
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, help_text="ISO 639-1 code")
    level = serializers.ChoiceField(choices=CefrLevel.choices, help_text="CEFR level")


# The columns JobSerializer.represent reads.
LIST_COLUMNS = [
    *(name for name in EDITABLE_FIELDS if name not in {"company", "partner_institutions"}),
    "company__slug", "institution__slug", "skills", "description_html", "status", "created_at", "updated_at",
    "published_at",
]  # fmt: skip


class JobListSerializer(serializers.ListSerializer):
    """A page of jobs: their languages and partners fetched in one query each, for the whole page."""

    def to_representation(self, data):
        jobs = list(data.all() if hasattr(data, "all") else data)
        languages, partners = defaultdict(list), defaultdict(list)
        rows = JobLanguage.objects.filter(job__in=jobs).order_by("pk").values_list("job_id", "language", "level")
        for job_id, code, level in rows:
            languages[job_id].append((code, level))
        links = Job.partner_institutions.through.objects.filter(job__in=jobs).order_by("institution__name")
        for job_id, slug in links.values_list("job_id", "institution__slug"):
            partners[job_id].append(slug)
        # One reverse() a page: once a job, it took a sixth of the page's time. A job's page is the board's
        # address and its id (tests/jobs/test_api.py holds it equal to Job.get_absolute_url).
        board = self.context["request"].build_absolute_uri(reverse("jobs:index"))
        return [self.child.represent(job, languages[job.pk], partners[job.pk], f"{board}{job.pk}/") for job in jobs]


# JobSerializer's output formats, built once: a serializer builds its fields afresh for every request,
# which a page of jobs need not pay for.
_SALARY = Job._meta.get_field("salary_min")
_AMOUNT = serializers.DecimalField(max_digits=_SALARY.max_digits, decimal_places=_SALARY.decimal_places)
_DAY, _MOMENT = serializers.DateField(), serializers.DateTimeField()


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
        list_serializer_class = JobListSerializer
        read_only_fields = ["id", "description_html", "status", "created_at", "updated_at", "published_at"]

    def get_url(self, job) -> str:
        return self.context["request"].build_absolute_uri(job.get_absolute_url())

    def to_representation(self, job):
        languages = [(language.language, language.level) for language in job.languages.all()]
        partners = [partner.slug for partner in job.partner_institutions.all()]
        return self.represent(job, languages, partners, self.get_url(job))

    def represent(self, job: Job, languages: list[tuple[str, str]], partners: list[str], url: str) -> dict:
        """The job as the API shows it, written out: DRF's generic field-by-field path was half the
        time of a page of 100 jobs. tests/jobs/test_api.py holds the two equal."""
        moment, day, amount = _MOMENT, _DAY, _AMOUNT
        return {
            "id": job.pk,
            "institution": job.institution.slug,
            "title": job.title,
            "company": job.company.slug,
            "kind": job.kind,
            "description": job.description,
            "country": job.country.code,
            "city": job.city,
            "work_mode": job.work_mode,
            "duration_months": job.duration_months,
            "paid": job.paid,
            "salary_min": None if job.salary_min is None else amount.to_representation(job.salary_min),
            "salary_max": None if job.salary_max is None else amount.to_representation(job.salary_max),
            "salary_currency": job.salary_currency,
            "salary_period": job.salary_period,
            "fields_of_study": list(job.fields_of_study),
            "erasmus_eligible": job.erasmus_eligible,
            "visa_sponsorship": job.visa_sponsorship,
            "start_kind": job.start_kind,
            "start_date": None if job.start_date is None else day.to_representation(job.start_date),
            "apply_method": job.apply_method,
            "apply_url": job.apply_url,
            "apply_email": job.apply_email,
            "deadline": None if job.deadline is None else day.to_representation(job.deadline),
            "audience": job.audience,
            "partner_institutions": partners,
            "require_login": job.require_login,
            "external_id": job.external_id,
            "skills": list(job.skills),
            "languages": [{"language": code, "level": level} for code, level in languages],
            "description_html": job.description_html,
            "status": job.status,
            "url": url,
            "created_at": moment.to_representation(job.created_at),
            "updated_at": moment.to_representation(job.updated_at),
            "published_at": None if job.published_at is None else moment.to_representation(job.published_at),
        }

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


BULK_MAX_JOBS = 500


@extend_schema_field(JobSerializer)
class _JobItemField(serializers.DictField):
    """One job of a bulk upsert: only its shape is checked here, its fields item by item later."""


class JobBulkUpsertSerializer(StrictSerializer):
    """Jobs to create or update, matched with the institution's jobs by external id."""

    jobs = serializers.ListField(
        child=_JobItemField(),
        min_length=1,
        max_length=BULK_MAX_JOBS,
        help_text=_("1 to 500 jobs, each with its own `external_id`."),
    )

    def validate_jobs(self, jobs):
        errors, seen = {}, set()
        for index, job in enumerate(jobs):
            external_id = job.get("external_id")
            if not isinstance(external_id, str) or not external_id.strip():
                errors[index] = {"external_id": [_("Each job needs its external id.")]}
                continue
            # Stored trimmed, as the serializer trims it: looked up the same way, a repeat call updates.
            external_id = job["external_id"] = external_id.strip()
            if external_id in seen:
                errors[index] = {"external_id": [_("Another job of this call has the same external id.")]}
            else:
                seen.add(external_id)
        if errors:
            raise serializers.ValidationError(errors)
        return jobs


class JobBulkErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class JobBulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The job's position in the request, from 0.")
    external_id = serializers.CharField()
    result = serializers.ChoiceField(choices=["created", "updated", "error"])
    id = serializers.IntegerField(allow_null=True)
    errors = JobBulkErrorSerializer(many=True)


class JobBulkResultSerializer(serializers.Serializer):
    """What became of each job of a bulk upsert, in the order they were sent."""

    results = JobBulkItemResultSerializer(many=True)


class BulkJSONParser(LimitedJSONParser):
    # 500 jobs of 4 KB; Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) refuses larger bodies anyway.
    max_bytes = 2 * 1024 * 1024


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Jobs the caller may see. Keys need `jobs:read` to read and `jobs:write` to write; writes are
    for the key's own institution."""

    serializer_class = JobSerializer
    filterset_class = JobSyncFilter
    read_scope = "jobs:read"
    write_scope = "jobs:write"

    def get_queryset(self):
        jobs = Job.objects.visible_to(self.request.user).select_related("company", "institution")
        if self.action == "list":
            # A list fetches its pages' languages and partners itself (JobListSerializer), and reads only
            # the columns it shows: not the search vector, nor the company's and institution's records.
            return jobs.only(*LIST_COLUMNS)
        return jobs.prefetch_related("partner_institutions", "languages")

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

    @extend_schema(
        request=JobBulkUpsertSerializer,
        responses=JobBulkResultSerializer,
        description=(
            f"Create or update up to {BULK_MAX_JOBS} of the institution's jobs by external id, in a body of at most "
            "2 MiB. Each job is saved or refused on its own; the answer reports each by its index."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk-upsert", parser_classes=[BulkJSONParser])
    def bulk_upsert(self, request):
        body = JobBulkUpsertSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        institution = self._own_institution()
        if not permissions.can_post_job(request.user, institution):
            raise PermissionDenied(_("You are not allowed to post jobs for this institution."))
        items = body.validated_data["jobs"]
        existing = Job.objects.filter(institution=institution, external_id__in=[item["external_id"] for item in items])
        by_external_id = {job.external_id: job for job in existing}
        for job in by_external_id.values():
            job.institution = institution  # the same row: no query per job to check permissions
        with transaction.atomic():
            results = [
                self._upsert_one(index, item, by_external_id.get(item["external_id"]), institution)
                for index, item in enumerate(items)
            ]
        return Response({"results": results})

    def _upsert_one(self, index: int, item: dict, job: Job | None, institution: Institution) -> dict:
        """Save one job of a bulk call in a savepoint, so that its failure leaves the others saved."""
        result = {"index": index, "external_id": item["external_id"], "id": job.pk if job else None, "errors": []}
        serializer = self.get_serializer(job, data=item)
        try:
            with transaction.atomic():
                serializer.is_valid(raise_exception=True)
                saved = serializer.save_job(job=job or Job(institution=institution), by=self.request.user)
        except serializers.ValidationError as error:
            return {**result, "result": "error", "errors": field_errors(error.detail)}
        except DjangoValidationError as error:
            return {**result, "result": "error", "errors": field_errors(serializers.as_serializer_error(error))}
        except DjangoPermissionDenied as error:
            return {**result, "result": "error", "errors": [{"field": None, "message": str(error)}]}
        return {**result, "result": "updated" if job else "created", "id": saved.pk}


router.register("jobs", JobViewSet, basename="job")
