"""Logbook's tracking server, installed as the `logbook` command.

The wheel carries one self-contained binary, installed into the environment's scripts folder; this
package only finds it, for `python -m logbook_server`.
"""

import os
from importlib import metadata


def binary() -> str:
    """The path of the `logbook` binary this package installed."""
    distribution = metadata.distribution("logbook-server")
    for file in distribution.files or []:
        if file.name == "logbook" and "logbook_server" not in file.parts:
            path = os.path.realpath(distribution.locate_file(file))
            if os.access(path, os.X_OK):
                return path
    raise FileNotFoundError("the logbook binary of the logbook-server package is missing; reinstall the package")
