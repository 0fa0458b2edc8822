# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of the one-device modules (device_step, l2_vlan, l2_port_vlan, optical_cross_connect,
encryptor_port, key_stream): the step runs in the worker, via the play's session broker.

The other modules' action files are symlinks to this one; the module comes from the task's action.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.plugin_utils._device_action import NetconfDeviceAction


class ActionModule(NetconfDeviceAction):
    pass
