# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The handler registry of all device kinds: importing this module registers every builder."""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.devices import (
    encryptor,
    key_stream,
    l2_switch,
    optical_switch,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    HANDLERS,
    StepHandler,
    StepInputError,
)

# The kind modules register their handlers when imported; naming them here keeps that import used.
KIND_MODULES = (encryptor, key_stream, l2_switch, optical_switch)

__all__ = ["HANDLERS", "KIND_MODULES", "MODULE_HANDLERS", "handler_for", "supported"]

# Module name -> its handler: each one-device module is device_step with a fixed (kind, operation).
MODULE_HANDLERS: dict[str, StepHandler] = {h.module: h for h in HANDLERS.values()}


def handler_for(kind: str, operation: str) -> StepHandler:
    """The builder of (kind, operation); StepInputError naming the pair when there is none."""
    try:
        return HANDLERS[(kind, operation)]
    except KeyError:
        known = ", ".join(f"{k}/{o}" for k, o in sorted(HANDLERS))
        raise StepInputError(
            "operation", f"no device handler for {kind}/{operation} (known: {known})"
        ) from None


def supported() -> list[tuple[str, str]]:
    return sorted(HANDLERS)
