"""Reading an input file (blueprint, manifest, model card, `.cruft.json`, `--plan`): regular files only.

Opening a FIFO blocks until someone writes to it, reading a device never ends (`/dev/zero`)
or has side effects, and a directory is not a document: each is refused before it is read,
with exit 2 (`InputError`). The file is opened without blocking and checked again on the open
descriptor, so swapping the path for a FIFO between the check and the open cannot hang us.
"""

from __future__ import annotations

import os
import stat

from qantara.errors import InputError, Problem

# What a non-regular file is called in a message, by its stat type test.
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))

# How much of a value a message repeats: enough to recognise it, never a whole file.
ECHO_LIMIT = 80


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` as a message may repeat it: cut to `limit` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def short_repr(value: object, limit: int = ECHO_LIMIT) -> str:
    """`repr(value)` cut like `shorten`: a 900 KB scalar is named, not printed back."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= limit else shorten(text, limit)


def kind_of(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.

    Anything else (missing, a directory, a FIFO, a device, a socket, too large, unreadable)
    is an `InputError` naming the file and what is allowed; nothing blocks.
    """
    name = os.fspath(path)
    try:
        kind = kind_of(os.stat(name).st_mode)
        if kind is not None:
            raise _refused(name, what, kind)
        descriptor = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(Problem(name, None, None, "", "cannot read file: no such file or directory")) from None
    except OSError as error:
        raise InputError(Problem(name, None, None, "", f"cannot read file: {error.strerror or error}")) from None
    try:
        kind = kind_of(os.fstat(descriptor).st_mode)  # the path may have changed since the stat
        if kind is not None:
            raise _refused(name, what, kind)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise InputError(Problem(name, None, None, "", f"cannot read file: {error.strerror or error}")) from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise InputError(Problem(name, None, None, "", f"file is larger than {_size(limit)}; a {what} must be smaller"))
    return data


def _refused(name: str, what: str, kind: str) -> InputError:
    return InputError(Problem(name, None, None, "", f"is {kind}, not a regular file; a {what} is read only from a "
                                                    f"regular file (write it to one first)"))


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"
