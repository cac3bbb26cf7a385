"""Tags the wheel for the platform of the binary it carries (LOGBOOK_WHEEL_TAG, set by scripts/package)."""

import os

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class PlatformTag(BuildHookInterface):
    def initialize(self, version, build_data):
        tag = os.environ.get("LOGBOOK_WHEEL_TAG")
        if not tag:
            raise RuntimeError("LOGBOOK_WHEEL_TAG is not set: build the wheel with scripts/package")
        build_data["pure_python"] = False
        build_data["tag"] = tag
