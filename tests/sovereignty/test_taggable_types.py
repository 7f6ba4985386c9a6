"""The list of taggable AWS types (QA-RES-028) is the one the installed pulumi_aws gives."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_taggable_types_list_matches_the_installed_pulumi_aws():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_aws_taggable_types.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
