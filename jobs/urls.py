from django.urls import path, re_path

from .views import postings

app_name = "jobs"

urlpatterns = [
    path("", postings.index, name="index"),
    path("new/", postings.edit, name="create"),
    path("<int:pk>/", postings.detail, name="detail"),
    path("<int:pk>/edit/", postings.edit, name="edit"),
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>publish|close|reopen)/$", postings.change_status, name="change-status"),
]
