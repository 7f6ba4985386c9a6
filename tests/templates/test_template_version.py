"""The template's VERSION is what people read (the generated README, `_template_version` in
.cruft.json); `qantara update` merges by the template's fingerprint, whatever VERSION says. It
must still be a version a person can compare: MAJOR.MINOR.PATCH, nothing else."""

from __future__ import annotations

import re

from qantara.project.generate import TEMPLATE_DIR, template_version

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def test_the_template_version_is_major_minor_patch():
    assert SEMVER.fullmatch(template_version(TEMPLATE_DIR)), template_version(TEMPLATE_DIR)


def test_the_version_file_is_one_line():
    assert (TEMPLATE_DIR / "VERSION").read_text(encoding="utf-8").count("\n") == 1
