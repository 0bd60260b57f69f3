"""/api/v1/jobs/: the job board for member universities' systems, with sync by cursor and
idempotent upserts by the institution's own external id."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
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


# A job as the API shows it is written out from these columns, named as values() names them: a list
# reads them straight into dicts, without a model instance (and its company and institution) for each
# job, which was a third of the time of a page of 100 jobs.
ROW_COLUMNS = [
    "id", *(name for name in EDITABLE_FIELDS if name not in {"company", "partner_institutions"}),
    "company__slug", "institution__slug", "skills", "description_html", "status", "created_at", "updated_at",
    "published_at",
]  # fmt: skip
_SALARY = Job._meta.get_field("salary_min")
_AMOUNT = serializers.DecimalField(max_digits=_SALARY.max_digits, decimal_places=_SALARY.decimal_places)


def job_row(job: Job) -> dict:
    """A job instance as values(*ROW_COLUMNS) gives it."""
    row = {name: getattr(job, name) for name in ROW_COLUMNS if "__" not in name}
    row.update(country=job.country.code, company__slug=job.company.slug, institution__slug=job.institution.slug)
    return row


def represent_jobs(rows: list[dict], request) -> list[dict]:
    """Jobs as the API shows them, written out by hand with their languages and partners fetched in one
    query each: DRF's generic field-by-field path was half the time of a page of 100 jobs.
    tests/jobs/test_api.py holds the two equal."""
    languages, partners = defaultdict(list), defaultdict(list)
    if ids := [row["id"] for row in rows]:
        # Plain SQL over the page's ids: the ORM prepared each id on its own, a millisecond a query.
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT job_id, language, level FROM {JobLanguage._meta.db_table}"  # noqa: S608
                f" WHERE job_id IN ({marks}) ORDER BY id",
                ids,
            )
            for job_id, code, level in cursor.fetchall():
                languages[job_id].append({"language": code, "level": level})
            cursor.execute(
                f"SELECT p.job_id, i.slug FROM {Job.partner_institutions.through._meta.db_table} p"  # noqa: S608
                f" JOIN {Institution._meta.db_table} i ON i.id = p.institution_id"
                f" WHERE p.job_id IN ({marks}) ORDER BY i.name, i.id",
                ids,
            )
            for job_id, slug in cursor.fetchall():
                partners[job_id].append(slug)
    # One reverse() a page: once a job, it took a sixth of the page's time. A job's page is the board's
    # address and its id (tests/jobs/test_api.py holds it equal to Job.get_absolute_url).
    board = request.build_absolute_uri(reverse("jobs:index"))
    zone = timezone.get_current_timezone()

    def moment(value):  # as DRF's DateTimeField: ISO 8601 in the current time zone, UTC written as Z
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return [
        {
            "id": row["id"],
            "institution": row["institution__slug"],
            "title": row["title"],
            "company": row["company__slug"],
            "kind": row["kind"],
            "description": row["description"],
            "country": row["country"],
            "city": row["city"],
            "work_mode": row["work_mode"],
            "duration_months": row["duration_months"],
            "paid": row["paid"],
            "salary_min": None if row["salary_min"] is None else _AMOUNT.to_representation(row["salary_min"]),
            "salary_max": None if row["salary_max"] is None else _AMOUNT.to_representation(row["salary_max"]),
            "salary_currency": row["salary_currency"],
            "salary_period": row["salary_period"],
            "fields_of_study": row["fields_of_study"],
            "erasmus_eligible": row["erasmus_eligible"],
            "visa_sponsorship": row["visa_sponsorship"],
            "start_kind": row["start_kind"],
            "start_date": None if row["start_date"] is None else row["start_date"].isoformat(),
            "apply_method": row["apply_method"],
            "apply_url": row["apply_url"],
            "apply_email": row["apply_email"],
            "deadline": None if row["deadline"] is None else row["deadline"].isoformat(),
            "audience": row["audience"],
            "partner_institutions": partners[row["id"]],
            "require_login": row["require_login"],
            "external_id": row["external_id"],
            "skills": row["skills"],
            "languages": languages[row["id"]],
            "description_html": row["description_html"],
            "status": row["status"],
            "url": f"{board}{row['id']}/",
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
            "published_at": None if row["published_at"] is None else moment(row["published_at"]),
        }
        for row in rows
    ]


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
        return represent_jobs([job_row(job)], self.context["request"])[0]

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
        return Job.objects.visible_to(self.request.user).select_related("company", "institution")

    def list(self, request, *args, **kwargs):
        jobs = self.filter_queryset(Job.objects.visible_to(request.user)).values(*ROW_COLUMNS)
        return self.get_paginated_response(represent_jobs(self.paginate_queryset(jobs), request))

    def _own_institution(self) -> Institution:
        institution_id = (
            self.request.user.institution_id if self.request.auth else staff_institution_id(self.request.user)
        )
        if not institution_id:
            raise PermissionDenied("Only an institution's staff or systems post jobs.")
        return Institution.objects.get(pk=institution_id)

    def create(self, request, *args, **kwargs):
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
