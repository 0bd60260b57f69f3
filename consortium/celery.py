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
    # Offered seats (training weeks, summer schools) wait 48 hours or 7 days; within five minutes of
    # the deadline the seat passes to the next in line.
    "expire-seat-offers": {"task": "consortium.tasks.expire_seat_offers", "schedule": 300},
    # One reminder to those who have not answered a survey closing within three days; in the
    # morning (UTC), when people read their mail.
    "remind-survey-participants": {
        "task": "consortium.tasks.remind_survey_participants",
        "schedule": crontab(hour=8, minute=0),
    },
    # The weekly digest is due on DIGEST_WEEKDAY at DIGEST_HOUR (UTC); the task checks the day, so the
    # setting needs no restart of beat, and its hourly passes that day resume any chunk a worker lost.
    "send-weekly-digests": {"task": "consortium.tasks.send_weekly_digests", "schedule": crontab(minute=5)},
    # Jobs past their deadline disappear early in the morning (UTC), with their posters told.
    "expire-jobs-and-remind": {"task": "jobs.tasks.expire_and_remind", "schedule": crontab(hour=3, minute=0)},
    # The impact figures read past days of job views and applications from a rollup; just after midnight
    # (UTC) yesterday is complete, and a missed night is caught up by the next.
    "roll-up-job-activity": {"task": "jobs.tasks.roll_up_job_activity", "schedule": crontab(hour=0, minute=20)},
    # Job alerts in the morning (UTC), after the night's expiry, so that students read them at breakfast.
    "send-daily-job-alerts": {"task": "jobs.tasks.send_daily_alerts", "schedule": crontab(hour=6, minute=0)},
    # Country guide sections nobody reviewed for a year: a monthly nudge to their maintainers is enough
    # for text that changes yearly, on the first morning of the month (UTC), until someone reviews them.
    "remind-stale-guide-sections": {
        "task": "guides.tasks.remind_stale_guide_sections",
        "schedule": crontab(hour=7, minute=0, day_of_month="1"),
    },
    # Weekly job alerts on Monday morning, to plan the week's applications; the rest of the week is quiet.
    "send-weekly-job-alerts": {
        "task": "jobs.tasks.send_weekly_alerts",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon"),
    },
    # Introduction requests: reminders after 7 days and expiry after 14 are counted in days, so an
    # hourly pass keeps them within the hour; each happens once, however often this runs.
    "remind-and-expire-introductions": {"task": "matching.tasks.remind_and_expire_introductions", "schedule": 3600},
    # Cooperation offers: owners reminded a week before expiry; a day's precision is enough.
    "remind-and-retire-offers": {
        "task": "matching.tasks.remind_and_retire_offers",
        "schedule": crontab(hour=4, minute=0),
    },
    # Recommendations are recomputed when a profile changes; at night the stale ones too, so that
    # new people and offers reach everyone within a day.
    "refresh-recommendations": {
        "task": "matching.tasks.refresh_recommendations",
        "schedule": crontab(hour=1, minute=30),
    },
    # Summer-school follow-up forms (dietary needs, emergency contacts) are kept 30 days after the
    # school ends; a day's precision is enough, at night (UTC).
    "delete-summer-school-follow-ups": {
        "task": "summerschools.tasks.delete_old_follow_ups",
        "schedule": crontab(hour=2, minute=45),
    },
    # Participants of a summer school that ended are invited to the alumni directory, in the morning
    # (UTC) so that the e-mail lands in the working day; idempotent, a missed day catches up.
    "invite-summer-school-alumni": {"task": "summerschools.tasks.invite_alumni", "schedule": crontab(hour=9, minute=0)},
}
