# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script that ansible-test downloads from its own CI host.

ansible-test bootstraps pip into each sanity-test virtualenv with a `get-pip.py` fetched from a
host this project's machines cannot reach; `make sanity` installs this file into ansible-test's
cache in its place. It does the same job from what is reachable: the interpreter's bundled pip
(ensurepip), then `pip install` of the exact versions ansible-test asks for, from PyPI.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

# In a child process: ensurepip disables pip's configuration (index, CA bundle) in its own
# process environment, and the install below needs that configuration.
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "-q", *args]))
