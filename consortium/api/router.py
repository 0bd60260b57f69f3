"""The one router for /api/v1/. Each app's api module registers its viewsets on it."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
