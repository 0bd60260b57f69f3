"""The REST API of guides and resources; importing it registers the viewsets on the core router."""

from . import country_guides, resources  # noqa: F401
