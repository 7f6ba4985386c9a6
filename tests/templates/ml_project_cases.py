"""What the template tests share: the blueprints they bake against and the template's options."""

from __future__ import annotations

import json
from pathlib import Path

from qantara.project.generate import TEMPLATE_DIR

REPO = Path(__file__).resolve().parents[2]
AE_HEALTH = REPO / "blueprints" / "ae-health-cloud.yaml"
SA_HYBRID = REPO / "blueprints" / "sa-health-hybrid.yaml"
OPTIONS = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
