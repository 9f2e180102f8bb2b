"""The schedule for celery beat, in code (the job sweep, reporting's jobs, the upload clean-up).

``kiportal/settings.py`` reads ``CELERY_BEAT_SCHEDULE`` from here; this
module is imported by the settings and therefore imports no models. What
the jobs do is in ``reporting.periodic``.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # The outbox's mails and tasks that never reached the broker (Redis down) are handed
    # over, jobs whose worker died are taken over (centers.jobs): every minute.
    "sweep-jobs": {"task": "centers.sweep_jobs", "schedule": 60.0},
    # At the end of each plan period: the centre reports (runs daily, acts once).
    "reporting-period-reports": {
        "task": "reporting.generate_period_reports",
        "schedule": crontab(hour=2, minute=30),
    },
    # Missing plans for the coming period, expiring Integrationskonzepte.
    "reporting-reminders": {
        "task": "reporting.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Uploaded staffing lists are personal data: deleted after IMPORT_JOB_RETENTION_DAYS.
    "staffing-delete-old-import-jobs": {
        "task": "staffing.delete_old_import_jobs",
        "schedule": crontab(hour=3, minute=15),
    },
    # Retention (DSGVO): people who left STAFF_RETENTION_YEARS ago are anonymised, uploaded
    # documents are deleted DOCUMENT_RETENTION_YEARS after their matter closed; both logged.
    "staffing-anonymise-departed-staff": {
        "task": "staffing.anonymise_departed_staff",
        "schedule": crontab(hour=3, minute=30),
    },
    "funding-delete-expired-documents": {
        "task": "reporting.delete_expired_documents",
        "schedule": crontab(hour=3, minute=45),
    },
}
