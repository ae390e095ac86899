"""Stand-in for pip's get-pip.py, which ansible-test downloads from a host this project cannot reach.

ansible-test runs it inside an empty virtual environment as `python get_pip.py [pip options]
pip==X ... --no-setuptools --no-wheel`. It bootstraps pip from the wheel that ships with Python
(ensurepip) and then installs the requested versions from the package index, which is what
get-pip.py does too. scripts/test-ansible copies it into ansible-test's cache when no real one is there.
"""

import ensurepip
import os
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
# ensurepip points PIP_CONFIG_FILE at /dev/null for its own run; the install after it must see
# the machine's pip configuration (index, proxy CA) like any other pip run.
env = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args, env=env)
