"""schema.org JobPosting for job pages, with the properties Google's job-posting guidelines require
and the recommended ones the model has."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from .models import ApplyMethod, JobKind, WorkMode

EMPLOYMENT_TYPES = {
    JobKind.INTERNSHIP: ["INTERN"],
    JobKind.TRAINEESHIP: ["INTERN"],
    JobKind.GRADUATE: ["FULL_TIME"],
    JobKind.PART_TIME: ["PART_TIME"],
    JobKind.WORKING_STUDENT: ["PART_TIME"],
    JobKind.VOLUNTEERING: ["VOLUNTEER"],
}
# What may not appear raw inside a <script> element.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def job_posting(job, request) -> str:
    data = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description_html,
        "datePosted": job.published_at.date() if job.published_at else job.created_at.date(),
        "employmentType": EMPLOYMENT_TYPES[job.kind],
        "hiringOrganization": {"@type": "Organization", "name": job.company.name}
        | ({"sameAs": job.company.website} if job.company.website else {}),
        "identifier": {"@type": "PropertyValue", "name": job.institution.name, "value": str(job.pk)},
        "directApply": job.apply_method == ApplyMethod.PLATFORM,
        "url": request.build_absolute_uri(job.get_absolute_url()),
    }
    if job.work_mode == WorkMode.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": job.country.code}
    else:
        data["jobLocation"] = {
            "@type": "Place",
            "address": {"@type": "PostalAddress", "addressLocality": job.city, "addressCountry": job.country.code},
        }
    if job.deadline:
        data["validThrough"] = datetime.datetime.combine(job.deadline, datetime.time(23, 59), datetime.UTC)
    if job.salary_currency and (job.salary_min is not None or job.salary_max is not None):
        value = {"@type": "QuantitativeValue", "unitText": job.salary_period}
        if job.salary_min is not None:
            value["minValue"] = float(job.salary_min)
        if job.salary_max is not None:
            value["maxValue"] = float(job.salary_max)
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.salary_currency, "value": value}
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES))  # noqa: S308 - escaped above
