from qsafe_lab.pytest_plugin import lab, lab_faults  # noqa: F401
