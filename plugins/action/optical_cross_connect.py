# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of qsafe.slicing.optical_cross_connect: runs in the worker, via the broker."""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.plugin_utils.netconf_device_action import NetconfDeviceAction


class ActionModule(NetconfDeviceAction):
    MODULE = "optical_cross_connect"
