"""Remove the files the answers did not choose. The rule is Qantara's, tested there."""

import json
from pathlib import Path

from qantara.project.generate import prune_unselected

# The answers arrive as one JSON document in a raw string: `tojson` escapes quotes (and `'`
# as \u0027), so no answer can end the literal. They are data here, never Python source.
ANSWERS = json.loads(r'''{{ {"slug": cookiecutter.project_slug, "serving": cookiecutter.serving, "ci": cookiecutter.ci} | tojson }}''')

prune_unselected(Path.cwd(), **ANSWERS)
