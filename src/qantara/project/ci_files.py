"""The project's CI definitions, as data for the promotion-gate policy (QA-PRJ-013).

GitHub Actions workflows (`.github/workflows/*.yml`, `*.yaml`) and GitLab CI (`.gitlab-ci.yml`)
are read as YAML, never run or rendered. A file that cannot be read is handed on with the
reason instead of its document: what cannot be shown to be gated is a finding, not a pass.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# A CI definition is a few kilobytes; a larger file is not read into memory.
MAX_CI_BYTES = 1024 * 1024


def ci_files(project_dir: Path) -> list[dict]:
    """`{path, kind, document}` (or `{path, kind, error}`) for each CI definition of the project."""
    found = [(path, "github") for pattern in ("*.yml", "*.yaml")
             for path in sorted((project_dir / ".github" / "workflows").glob(pattern))]
    if (project_dir / ".gitlab-ci.yml").exists():
        found.append((project_dir / ".gitlab-ci.yml", "gitlab"))
    return [_read(project_dir, path, kind) for path, kind in found]


def _read(project_dir: Path, path: Path, kind: str) -> dict:
    entry = {"path": path.relative_to(project_dir).as_posix(), "kind": kind}
    try:
        if path.is_symlink() or not path.is_file():
            return {**entry, "error": "not a regular file"}
        if path.stat().st_size > MAX_CI_BYTES:
            return {**entry, "error": f"larger than {MAX_CI_BYTES} bytes"}
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return {**entry, "error": f"not readable YAML ({type(error).__name__})"}
    if not isinstance(document, dict):
        return {**entry, "error": "not a mapping"}
    # YAML 1.1 reads GitHub's `on:` key as True; the policy needs keys as text.
    return {**entry, "document": _text_keys(document)}


def _text_keys(value):
    if isinstance(value, dict):
        return {str(key): _text_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_text_keys(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # dates and the like: JSON has no such type
