"""Country career guides (country_guides.py) and the shared resource library (resources.py)."""

from .country_guides import *  # noqa: F403
from .readership import *  # noqa: F403
from .resources import *  # noqa: F403
