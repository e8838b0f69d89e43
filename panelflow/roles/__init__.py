"""Roles and agencies, as declared in the published workflow file, and the acting person.

The policy that answers every access question is built on these (``can(actor, permission,
resource)``); here live the values every operation is given: who is acting, in which roles and
for which agency.
"""

from __future__ import annotations

from dataclasses import dataclass

from panelflow.workflows.definitions import WorkflowSet


@dataclass(frozen=True)
class Actor:
    """Whoever takes a decision: a person signed in, a CLI user, or the timer."""

    id: str
    name: str
    roles: frozenset[str]
    agency: str
    user_id: int | None = None
    school_id: int | None = None
    local_authority_id: int | None = None

    def acting_role(self, allowed: tuple[str, ...]) -> str | None:
        """The role in which this actor may take a step allowed for ``allowed`` roles."""
        for role in sorted(self.roles):
            if role in allowed:
                return role
        return None


SYSTEM = Actor("system:timer", "panelflow timer", frozenset({"system"}), "local_authority")


def cli_actor(name: str) -> Actor:
    """The actor for a command run on the server by a named officer."""
    return Actor(f"cli:{name}", name, frozenset({"workflow_editor"}), "local_authority")


def roles_for_agency(definitions: WorkflowSet, agency: str) -> list[str]:
    return sorted(name for name, role in definitions.roles.items() if role.agency == agency)
