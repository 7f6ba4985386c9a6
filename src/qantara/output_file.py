"""Writing an output file (`plan --out`, `check --out`, `docs --out`, `bundle --out`): one way, safely.

`--out` replaces a regular file, or creates one. A FIFO, a device, a directory or a symlink
to one (or to nothing) is refused with exit 2 (`InputError`) and left untouched: writing to
`/dev/sda` or a FIFO is never what a report was for. The content is written to a new file
beside the target, flushed, then renamed over it, so readers see the old file or the new one,
never half of one. The new file gets the permissions the user's umask gives, as any file the
user creates would (not `mkstemp`'s 0600).
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from qantara.errors import InputError
from qantara.input_file import kind_of


def write_output(path: str | os.PathLike[str], content: str | bytes, *, what: str = "the file",
                 option: str = "--out") -> Path:
    """Write `content` (text as UTF-8) to `path` atomically; the path written. See the module."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    target = _target(Path(path), option)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{option} {path}: cannot create its directory {target.parent} "
                         f"({error.strerror or error})") from None
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never through a file (or symlink) someone placed there; 0o666 minus the umask.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write {what} ({error.strerror or error})") from None
    return target


def _target(path: Path, option: str) -> Path:
    """The regular file `path` names (a symlink to a regular file is followed), checked."""
    rule = f"{option} replaces a regular file or creates one"
    _check_length(path, option)
    try:
        link = path.is_symlink()
        if link and not path.exists():
            raise InputError(f"{option} {path}: is a symlink to nothing ({os.readlink(path)}); {rule}")
        if path.exists():
            kind = kind_of(path.stat().st_mode)
            if kind is not None:
                via = f"a symlink to {kind}" if link else kind
                raise InputError(f"{option} {path}: is {via}; {rule}, and leaves this untouched")
    except OSError as error:  # a path component that is a file, a loop of symlinks, no permission
        raise InputError(f"{option} {path}: cannot be used ({error.strerror or error}); {rule}") from None
    return path.resolve() if link else path.absolute()


def _check_length(path: Path, option: str) -> None:
    too_long = [part for part in path.parts if len(os.fsencode(part)) > 255]
    if too_long or len(os.fsencode(str(path))) > 4000:
        what = f"name {too_long[0][:40]!r}… is longer than 255 bytes" if too_long else \
            "path is longer than 4000 bytes"
        raise InputError(f"{option}: {what} ({os.strerror(errno.ENAMETOOLONG)})")
