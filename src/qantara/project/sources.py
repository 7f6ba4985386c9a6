"""Where a generated project gets Qantara and its platform's blueprint from.

Qantara is on no public package index, and a bare `qantara` in a project's dependencies is a
name anyone could publish there (dependency confusion). So `qantara new` records an explicit
source: the path of the organisation's Qantara checkout or a `git+https://` URL of its
repository, installed editable (`pip install -e`), because the policies and the template
live beside the package (`paths.py`), not inside a wheel.

A project's CI cannot reach the blueprint at the path the platform team keeps it, so `new`
(and `update`) copies it into the project with its SHA-256: CI verifies the copy with
`sha256sum -c` and `check --project` refuses a copy that no longer matches its digest.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

from qantara.errors import ProjectError
from qantara.input_file import short_repr
from qantara.paths import project_root

BLUEPRINT_COPY = "platform/blueprint.yaml"
BLUEPRINT_DIGEST = BLUEPRINT_COPY + ".sha256"
# A repository URL pip installs editable: it must name the project (`#egg=qantara`) and be
# fetched over an authenticated, encrypted transport.
GIT_URL = re.compile(r"^git\+(https|ssh)://[A-Za-z0-9._~:/?@%+=&,-]+#egg=qantara$")
# The value lands in a Makefile variable and a shell command: nothing Make or a shell expands.
UNSAFE = re.compile(r"[\s$`'\"\\;|&<>(){}*!]")
ALLOWED = ("the absolute path of a Qantara checkout (a directory whose pyproject.toml names qantara), or "
           "git+https://HOST/PATH[@REF]#egg=qantara (or git+ssh://); never a bare package name")


def default_qantara_source() -> str:
    """The checkout this Qantara runs from: explicit, and what `make setup` would install."""
    return str(project_root())


def qantara_source_problems(value: str) -> list[str]:
    """Why `value` is not a source a project may install Qantara from ([] when it is)."""
    if UNSAFE.search(value):
        return [f"answer 'qantara_source': {short_repr(value)} contains whitespace or a character Make or a shell "
                f"would expand (allowed: {ALLOWED})"]
    if value.startswith("git+"):
        if GIT_URL.match(value):
            return []
        return [f"answer 'qantara_source': {short_repr(value)} is not a git+https:// or git+ssh:// URL ending in "
                f"#egg=qantara (allowed: {ALLOWED})"]
    path = Path(value)
    if not path.is_absolute():
        return [f"answer 'qantara_source': {short_repr(value)} is neither an absolute path nor a git URL; a bare "
                f"name could be served by any public index (allowed: {ALLOWED})"]
    if not _names_qantara(path / "pyproject.toml"):
        return [f"answer 'qantara_source': {short_repr(value)} holds no pyproject.toml naming the qantara project "
                f"(allowed: {ALLOWED})"]
    return []


def _names_qantara(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    project = data.get("project")
    return isinstance(project, dict) and project.get("name") == "qantara"


def blueprint_copy(source: Path) -> tuple[bytes, bytes]:
    """The blueprint's bytes and its digest line in `sha256sum` format (for `sha256sum -c`)."""
    content = source.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    return content, f"{digest}  {Path(BLUEPRINT_COPY).name}\n".encode()


def write_blueprint_copy(project: Path, source: Path) -> None:
    """Copy the platform's blueprint into the project, with its digest beside it."""
    content, digest = blueprint_copy(source)
    target = project / BLUEPRINT_COPY
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    (project / BLUEPRINT_DIGEST).write_bytes(digest)


def verify_blueprint_copy(path: Path) -> None:
    """Refuse a blueprint whose recorded digest (`<path>.sha256`, when there) it no longer matches."""
    digest_file = path.with_name(path.name + ".sha256")
    if not digest_file.is_file():
        return
    recorded = digest_file.read_text(encoding="utf-8", errors="replace").split()
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if not recorded or recorded[0].lower() != actual:
        raise ProjectError(f"{path}: its SHA-256 is {actual}, but {digest_file.name} records "
                           f"{short_repr(recorded[0] if recorded else '')}: the copy of the platform's blueprint "
                           f"was changed. Restore it, or refresh it from the platform team's with `qantara update`")
