import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")

app = Celery("consortium")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The periodic schedule, in one place. Each entry says why it runs when it does.
app.conf.beat_schedule = {
    # Safety net for e-mails whose queue message a broker restart lost; sending stays idempotent.
    "requeue-stale-deliveries": {"task": "consortium.tasks.requeue_stale_deliveries", "schedule": 600},
    # Webhook retries wait in the database; each minute the due ones are queued.
    "dispatch-due-webhooks": {"task": "consortium.tasks.dispatch_due_webhooks", "schedule": 60},
    # Support deadlines are counted to the minute, so reminders and escalations go out within a
    # quarter of an hour of their moment; each is sent once, however often this runs.
    "check-support-deadlines": {"task": "consortium.tasks.check_support_deadlines", "schedule": 900},
    # Answered requests nobody reacted to close themselves after SUPPORT_AUTO_CLOSE_DAYS; a day's
    # precision is enough, at night (UTC) when nobody is working on them.
    "close-stale-support-requests": {
        "task": "consortium.tasks.close_stale_support_requests",
        "schedule": crontab(hour=2, minute=30),
    },
    # Jobs past their deadline disappear early in the morning (UTC), with their posters told.
    "expire-jobs-and-remind": {"task": "jobs.tasks.expire_and_remind", "schedule": crontab(hour=3, minute=0)},
    # Job alerts in the morning (UTC), after the night's expiry, so that students read them at breakfast.
    "send-daily-job-alerts": {"task": "jobs.tasks.send_daily_alerts", "schedule": crontab(hour=6, minute=0)},
    # Weekly job alerts on Monday morning, to plan the week's applications; the rest of the week is quiet.
    "send-weekly-job-alerts": {
        "task": "jobs.tasks.send_weekly_alerts",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon"),
    },
}
