"""The qsafe.slicing lab: real NETCONF devices (netconfd behind sshd) built from the inventory."""

from qsafe_lab.lab import Lab, LabError, default_lab_dir

__all__ = ["Lab", "LabError", "default_lab_dir"]
