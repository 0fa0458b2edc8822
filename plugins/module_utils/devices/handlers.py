# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The handler registry of all device kinds and platforms: importing this module registers them.

A device's platform (inventory variable `qsafe_platform`, default `openconfig`) picks the payload
builders of its steps; the concept handlers (fields, identity, checks) are shared by all platforms.
Adding a platform is one file in `devices/platforms/` that registers a payload class per
(kind, operation) it supports, and its name in PLATFORM_MODULES below.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.devices import (
    encryptor,
    key_stream,
    l2_switch,
    optical_switch,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    DEFAULT_PLATFORM,
    HANDLERS,
    PLATFORMS,
    StepHandler,
    StepInputError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.platforms import (
    openconfig,
    openconfig_2016,
)

# The kind modules register their handlers when imported; naming them here keeps that import used.
KIND_MODULES = (encryptor, key_stream, l2_switch, optical_switch)
PLATFORM_MODULES = (openconfig, openconfig_2016)

__all__ = [
    "DEFAULT_PLATFORM",
    "HANDLERS",
    "KIND_MODULES",
    "MODULE_HANDLERS",
    "PLATFORMS",
    "PLATFORM_MODULES",
    "handler_for",
    "supported",
]

# Module name -> its handler: each one-device module is device_step with a fixed (kind, operation).
MODULE_HANDLERS: dict[str, StepHandler] = {h.module: h for h in HANDLERS.values()}


def handler_for(kind: str, operation: str, platform: str | None = None) -> StepHandler:
    """The handler of (kind, operation): with `platform`, the one that builds that platform's
    payloads; without, the concept (fields, checks, resource key). StepInputError names what is
    missing."""
    if platform is not None:
        table = PLATFORMS.get(platform)
        if table is None:
            raise StepInputError(
                "platform", f"unknown device platform {platform!r} (known: {', '.join(sorted(PLATFORMS))})"
            )
        if (kind, operation) in table:
            return table[(kind, operation)]
        if (kind, operation) in HANDLERS:
            raise StepInputError("platform", f"platform {platform} has no payload for {kind}/{operation}")
    try:
        return HANDLERS[(kind, operation)]
    except KeyError:
        known = ", ".join(f"{k}/{o}" for k, o in sorted(HANDLERS))
        raise StepInputError(
            "operation", f"no device handler for {kind}/{operation} (known: {known})"
        ) from None


def supported() -> list[tuple[str, str]]:
    return sorted(HANDLERS)
