"""Apply a set of file and directory replacements to a project all together, or not at all.

Every new file is written first under a work directory inside the project (same file system,
so each step after that is a rename). Then each target is moved aside and its replacement
renamed in. A failure at any step (a read-only directory, an interrupted rename) moves
everything back, so the project is as it was. The project directory itself is never swapped:
a shell or editor sitting in it would be left in a deleted directory (docs/decisions.md).

Paths are checked when the changes are planned (`blocked`): nothing is written through a
symlink, and nothing outside the project is reached.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qantara.errors import ProjectError


@dataclass(frozen=True)
class Change:
    """Put `staged` (a prepared file or directory, or None to remove) at `relative` in the project."""

    relative: str
    staged: Path | None
    directory: bool = False  # the target is a directory replaced whole (the template baseline)


def blocked(root: Path, relative: str, *, directory: bool = False) -> str | None:
    """Why `root/relative` may not be replaced (a symlink on the way, not a regular file, or not
    a directory when `directory`), or None."""
    path = root
    parts = PurePosixPath(relative).parts
    if not parts or ".." in parts or PurePosixPath(relative).is_absolute():
        return "is not a path inside the project"
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return None
        last = index == len(parts) - 1
        where = "it" if last else PurePosixPath(*parts[: index + 1]).as_posix()
        if stat.S_ISLNK(mode):
            return f"{where} is a symlink, and `qantara update` never writes through one"
        if not last and not stat.S_ISDIR(mode):
            return f"{where} is not a directory"
        if last and not (stat.S_ISDIR(mode) if directory else stat.S_ISREG(mode)):
            return "it is not a directory" if directory else "it is not a regular file"
    return None


def apply_changes(root: Path, changes: list[Change], work: Path) -> None:
    """Apply `changes` under `root`, all or none; `work` (inside `root`) keeps what they replace."""
    for change in changes:  # planned as safe; checked again just before anything moves
        reason = blocked(root, change.relative, directory=change.directory)
        if reason:
            raise ProjectError(f"{root / change.relative}: {reason}; nothing was changed")
    aside = work / "replaced"
    aside.mkdir()
    done: list[tuple[Path, Path | None, list[Path]]] = []
    try:
        for index, change in enumerate(changes):
            target = root / change.relative
            created = _make_parents(root, target.parent)
            backup = None
            if os.path.lexists(target):
                backup = aside / str(index)
                os.rename(target, backup)
            done.append((target, backup, created))
            if change.staged is not None:
                os.rename(change.staged, target)
    except BaseException:
        _undo(done)
        raise


def _undo(done: list[tuple[Path, Path | None, list[Path]]]) -> None:
    for target, backup, created in reversed(done):
        if backup is not None:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(backup, target)
        elif os.path.lexists(target):
            shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
        for directory in reversed(created):
            try:
                directory.rmdir()
            except OSError:
                pass


def _make_parents(root: Path, directory: Path) -> list[Path]:
    """Create the missing directories between `root` and `directory`; the ones created."""
    created = []
    path = root
    for part in directory.relative_to(root).parts:
        path = path / part
        if not os.path.lexists(path):
            path.mkdir()
            created.append(path)
        elif path.is_symlink() or not path.is_dir():
            raise ProjectError(f"{path}: is not a directory of the project; nothing was changed")
    return created
