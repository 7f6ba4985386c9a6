"""Three-way merge of text by lines (diff3's rule), for `qantara update`.

A change made on one side only is applied; changes both sides made to overlapping or
adjacent base lines must be identical, or the file is a conflict.
"""

from __future__ import annotations

import difflib


def merge_text(base: bytes | None, ours: bytes | None, theirs: bytes | None) -> bytes | None:
    """The three-way merge of a text file present on all three sides; None when it conflicts."""
    if base is None or ours is None or theirs is None:
        return None
    try:
        texts = [side.decode("utf-8") for side in (base, ours, theirs)]
    except UnicodeDecodeError:
        return None
    merged = merge_lines(*(text.splitlines(keepends=True) for text in texts))
    return None if merged is None else "".join(merged).encode("utf-8")


def merge_lines(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """Three-way merge by lines (diff3's rule): a change made on one side only is applied;
    changes of both sides to overlapping or adjacent base lines must be identical, else None."""
    changes = sorted([(*hunk, 0) for hunk in _hunks(base, ours)] + [(*hunk, 1) for hunk in _hunks(base, theirs)],
                     key=lambda change: (change[0], change[1]))
    merged: list[str] = []
    position = index = 0
    while index < len(changes):
        group = [changes[index]]
        start, end = changes[index][0], changes[index][1]
        index += 1
        # Touching counts as overlapping: which of two adjacent edits comes first is a guess.
        while index < len(changes) and changes[index][0] <= end:
            group.append(changes[index])
            end = max(end, changes[index][1])
            index += 1
        versions = [_apply(base, start, end, [c for c in group if c[3] == side]) for side in (0, 1)]
        sides = {c[3] for c in group}
        if len(sides) == 2 and versions[0] != versions[1]:
            return None
        merged += base[position:start] + versions[sides.pop() if len(sides) == 1 else 0]
        position = end
    return merged + base[position:]


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """(start, end, replacement) for every run of base lines `other` changes."""
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apply(base: list[str], start: int, end: int, hunks: list[tuple]) -> list[str]:
    """base[start:end] with `hunks` (all inside it) applied."""
    result, position = [], start
    for hunk_start, hunk_end, replacement, _ in hunks:
        result += base[position:hunk_start] + replacement
        position = hunk_end
    return result + base[position:end]


def conflict_diff(relative: str, base: bytes | None, theirs: bytes | None) -> str:
    """The template's change to `relative` as a unified diff, to apply by hand."""
    def lines(side: bytes | None) -> list[str]:
        return [] if side is None else side.decode("utf-8", errors="replace").splitlines(keepends=True)

    return "".join(difflib.unified_diff(lines(base), lines(theirs), fromfile=f"a/{relative}", tofile=f"b/{relative}"))
