# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from qsafe_lab.pytest_plugin import lab, lab_faults  # noqa: F401
