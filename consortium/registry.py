"""What the feature apps declare to the core: API scopes for now.

Apps register in their AppConfig.ready(); the core reads the registry and never names an app.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiScope:
    name: str
    label: str


API_SCOPES: dict[str, ApiScope] = {}


def register_api_scope(name: str, label: str) -> ApiScope:
    scope = API_SCOPES[name] = ApiScope(name, label)
    return scope
