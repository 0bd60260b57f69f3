"""Writes to the job board with their rules, one module per sub-domain."""

from .applications import (
    apply_to_job,
    change_application_status,
    closed_reason,
    mark_application_seen,
    withdraw_application,
)
from .approvals import approve_job, reject_job
from .postings import close_job, expire_jobs, publish_job, refresh_search_vector, remind_deadlines, reopen_job, save_job

__all__ = [
    "approve_job",
    "reject_job",
    "apply_to_job",
    "change_application_status",
    "closed_reason",
    "mark_application_seen",
    "withdraw_application",
    "close_job",
    "expire_jobs",
    "publish_job",
    "refresh_search_vector",
    "remind_deadlines",
    "reopen_job",
    "save_job",
]
