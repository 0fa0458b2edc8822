# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The qsafe.slicing lab: real NETCONF devices (netconfd behind sshd) built from the inventory."""

from qsafe_lab.lab import Lab, LabError, default_lab_dir

__all__ = ["Lab", "LabError", "default_lab_dir"]
