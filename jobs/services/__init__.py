"""Writes to the job board with their rules, one module per sub-domain."""

from .postings import close_job, expire_jobs, publish_job, refresh_search_vector, remind_deadlines, reopen_job, save_job

__all__ = [
    "close_job",
    "expire_jobs",
    "publish_job",
    "refresh_search_vector",
    "remind_deadlines",
    "reopen_job",
    "save_job",
]
