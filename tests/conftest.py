"""Test setup: Qt draws offscreen, always (set here, before any Qt import, not by hand)."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
