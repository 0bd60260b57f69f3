from django.urls import path

from . import views

app_name = "summerschools"

urlpatterns = [
    path("", views.index, name="index"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("applications/<int:pk>/review/", views.review, name="review"),
    path("applications/<int:pk>/cv/", views.cv, name="cv"),
    path("applications/<int:pk>/<str:decision>/", views.decide, name="decide"),
    path("<slug:slug>/", views.edition_detail, name="edition"),
    path("<slug:slug>/calendar.ics", views.edition_calendar, name="calendar"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/applications/", views.applications, name="applications"),
]
