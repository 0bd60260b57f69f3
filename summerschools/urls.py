from django.urls import path

from .views import selection

app_name = "summerschools"

urlpatterns = [
    # Catalogue, applying and selection
    path("", selection.index, name="index"),
    path("applications/<int:pk>/", selection.application_detail, name="application"),
    path("applications/<int:pk>/confirm/", selection.confirm, name="confirm"),
    path("applications/<int:pk>/review/", selection.review, name="review"),
    path("applications/<int:pk>/cv/", selection.cv, name="cv"),
    path("applications/<int:pk>/<str:decision>/", selection.decide, name="decide"),
    # Organising: creating and editing editions and challenges, the survey, certificates
    # Teams
    # Alumni directory and ventures
    # Edition pages: keep last, a slug matches most single-segment addresses
    path("<slug:slug>/", selection.edition_detail, name="edition"),
    path("<slug:slug>/calendar.ics", selection.edition_calendar, name="calendar"),
    path("<slug:slug>/apply/", selection.apply, name="apply"),
    path("<slug:slug>/applications/", selection.applications, name="applications"),
]
