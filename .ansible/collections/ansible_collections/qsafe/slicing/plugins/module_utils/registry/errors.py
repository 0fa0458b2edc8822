# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors raised by the slice registry.

One class per thing an operator has to act on, so that roles and modules can tell a busy
lock (retry later) from an exhausted link (choose another plan) from a bad call (fix the
playbook) without parsing messages. Every message names the resource or the field.
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base class of every registry failure."""


class RegistryInputError(RegistryError, ValueError):
    """An argument is malformed; the message names the field. Nothing was changed."""


class SliceNotFound(RegistryError, KeyError):
    """The slice id is not in the registry."""

    def __init__(self, slice_id: str):
        self.slice_id = slice_id
        super().__init__(slice_id)

    def __str__(self) -> str:
        return f"slice {self.slice_id!r} is not in the registry"


class CapacityError(RegistryError):
    """A reservation would exceed a capacity or reuse a VLAN. `violations` lists each one."""

    def __init__(self, slice_id: str, violations: list[str]):
        self.slice_id = slice_id
        self.violations = list(violations)
        super().__init__(f"slice {slice_id} cannot be reserved: " + "; ".join(self.violations))


class StateTransitionError(RegistryError):
    """The requested state change is not allowed from the slice's current state."""


class LockTimeout(RegistryError, TimeoutError):
    """The orchestrator lock stayed busy for the whole timeout; `holder` describes who has it."""

    def __init__(self, message: str, holder: dict | None):
        self.holder = holder
        super().__init__(message)


class BackendUnavailable(RegistryError):
    """The selected backend cannot be used here (missing library, unreachable server)."""
