"""`python -m logbook_server ARGS…` runs `logbook ARGS…`."""

import os
import sys

from logbook_server import binary


def main() -> None:
    try:
        path = binary()
    except FileNotFoundError as error:
        sys.exit(f"error: {error}")
    os.execv(path, ["logbook", *sys.argv[1:]])


if __name__ == "__main__":
    main()
