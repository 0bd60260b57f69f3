from django.urls import path

from . import views

app_name = "summerschools"

urlpatterns = [
    path("", views.index, name="index"),
]
