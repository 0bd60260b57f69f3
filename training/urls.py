from django.urls import path, re_path

from .views import certificates, checkin, curriculum, registrations, surveys, weeks

app_name = "training"

urlpatterns = [
    path("", weeks.catalogue, name="index"),
    path("new/", weeks.edit, name="create"),
    path("curriculum/", curriculum.curriculum, name="curriculum"),
    path("curriculum/new/", curriculum.module_edit, name="module-create"),
    path("curriculum/<int:pk>/edit/", curriculum.module_edit, name="module-edit"),
    path("my/", registrations.my_training, name="mine"),
    path("my/calendar.ics", weeks.my_calendar, name="my-calendar"),
    path("approvals/", registrations.approvals, name="approvals"),
    path("registrations/<int:pk>/", registrations.detail, name="registration"),
    re_path(
        r"^registrations/(?P<pk>[0-9]+)/(?P<action>approve|decline|cancel|confirm)/$",
        registrations.act,
        name="registration-act",
    ),
    path("registrations/<int:pk>/certificate/", certificates.page, name="certificate"),
    path("registrations/<int:pk>/certificate.pdf", certificates.pdf, name="certificate-pdf"),
    path("<slug:slug>/", weeks.detail, name="week"),
    path("<slug:slug>/edit/", weeks.edit, name="edit"),
    re_path(r"^(?P<slug>[-a-zA-Z0-9_]+)/(?P<action>publish|cancel)/$", weeks.change_status, name="change-status"),
    path("<slug:slug>/calendar.ics", weeks.week_calendar, name="week-calendar"),
    path("<slug:slug>/participants/", weeks.participants, name="participants"),
    path("<slug:slug>/register/", registrations.register, name="register"),
    path("<slug:slug>/sessions/new/", weeks.session_edit, name="session-create"),
    path("<slug:slug>/sessions/<int:pk>/edit/", weeks.session_edit, name="session-edit"),
    path("<slug:slug>/sessions/<int:pk>/delete/", weeks.session_delete, name="session-delete"),
    path("<slug:slug>/check-in/", checkin.sessions, name="checkin"),
    path("<slug:slug>/check-in/<int:pk>/", checkin.session, name="checkin-session"),
    path("<slug:slug>/check-in/<int:pk>/<int:registration_pk>/", checkin.toggle, name="checkin-toggle"),
    path("<slug:slug>/survey/", surveys.open_survey, name="survey-open"),
    path("<slug:slug>/survey/results/", surveys.results, name="survey-results"),
]
