from django.urls import path, re_path

from .feeds import JobSearchFeed
from .views import applications, approvals, contacts, imports, postings, reports, saved

app_name = "jobs"

urlpatterns = [
    path("", postings.index, name="index"),
    path("new/", postings.edit, name="create"),
    path("import/", imports.upload, name="import"),
    path("import/template.csv", imports.template, name="import-template"),
    path("<int:pk>/report/", reports.report, name="report"),
    path("reports/", reports.open_reports, name="reports"),
    path("reports/<int:pk>/resolve/", reports.resolve, name="resolve-report"),
    path("<int:pk>/", postings.detail, name="detail"),
    path("<int:pk>/edit/", postings.edit, name="edit"),
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>publish|close|reopen)/$", postings.change_status, name="change-status"),
    path("approvals/", approvals.queue, name="approvals"),
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>approve|reject)/$", approvals.decide, name="approval-decide"),
    path("company/", contacts.company_jobs, name="company-jobs"),
    path("<int:pk>/apply/", applications.apply, name="apply"),
    path("<int:pk>/applications/", applications.for_job, name="applications"),
    path("applications/", applications.mine, name="my-applications"),
    path("applications/<int:pk>/", applications.detail, name="application"),
    path("applications/<int:pk>/cv/", applications.cv, name="application-cv"),
    path("applications/<int:pk>/status/", applications.change_status, name="application-status"),
    path("applications/<int:pk>/withdraw/", applications.withdraw, name="application-withdraw"),
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>save|unsave)/$", saved.save_job, name="save-job"),
    path("saved/", saved.saved_jobs, name="saved"),
    path("searches/", saved.saved_searches, name="saved-searches"),
    path("searches/new/", saved.saved_search_create, name="saved-search-create"),
    path("searches/<int:pk>/alert/", saved.saved_search_edit, name="saved-search-edit"),
    path("searches/<int:pk>/delete/", saved.saved_search_delete, name="saved-search-delete"),
    path("feed/", JobSearchFeed(), name="feed"),
]
