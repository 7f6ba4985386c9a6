"""Where Qantara's data lives: the policy library and catalog beside the package.

Policies and the catalog are data shared by Python, Rego and the Pulumi programs, so they
live at the top of the repository (`policies/`), not inside the package. An installation
elsewhere points `QANTARA_HOME` at a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout that holds `policies/`, `stacks/` and `blueprints/`."""
    configured = os.environ.get("QANTARA_HOME")
    if configured:
        return Path(configured).resolve()
    # src/qantara/paths.py -> the repository root, for the editable install `make setup` does.
    return Path(__file__).resolve().parents[2]


def policy_dir() -> Path:
    return project_root() / "policies"


def catalog_dir() -> Path:
    return policy_dir() / "data"


def platform_program_dir() -> Path:
    return project_root() / "stacks" / "platform"
