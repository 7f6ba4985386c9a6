"""`qantara update`: apply what changed in the template to a generated project, keeping its edits.

cruft does this with git: it clones the template at two commits and runs `git apply -3`.
Qantara's template lives inside Qantara's tree, not in a repository of its own, and a
project need not be a repository either, so the merge is done here, file by file, from:

- base: what the template produced when the project was generated or last updated, kept in
  the project under `.qantara/template-baseline/`;
- theirs: what the template produces now from the answers recorded in `.cruft.json`;
- ours: the project's file as it is.

Lines only one side changed are taken from that side. Where both changed the same (or
adjacent) lines differently, the file is a conflict: it is left untouched and the template's
change is written to `.qantara/conflicts/<path>.diff` to apply by hand. The baseline then
moves to the new rendering, so the next update starts from here; while a conflict is pending,
the next update is refused, so no pending change is lost.

The project is untrusted input (cruft_state.py): its answers pass `qantara new`'s checks, the
platform facts come from the blueprint, only Qantara's template runs unless `--template`
names another, nothing is written through a symlink, and every change is applied together or
not at all (staged.py).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from qantara.errors import ProjectError
from qantara.input_file import short_repr
from qantara.project.answers import resolve_answers
from qantara.project.cruft_state import CRUFT_FILE, answer_type_problems, read_state
from qantara.project.generate import (
    BASELINE_DIR,
    TEMPLATE_DIR,
    _check_answers,
    _given_answers,
    cruft_state,
    platform_facts,
    render,
    template_options,
)
from qantara.project.merge import conflict_diff, merge_lines, merge_text
from qantara.project.sources import BLUEPRINT_COPY, BLUEPRINT_DIGEST, blueprint_copy, default_qantara_source
from qantara.project.staged import Change, apply_changes, blocked

__all__ = ["CONFLICTS_DIR", "merge_lines", "update_project"]

CONFLICTS_DIR = Path(".qantara") / "conflicts"
WORK_PREFIX = "update-"
# Template files are small text; a larger file on any side is not merged (nor read into memory).
MAX_MERGE_BYTES = 16 * 1024 * 1024


def update_project(project_dir: str | os.PathLike[str], *, template_dir: str | os.PathLike[str] | None = None,
                   apply: bool = True, diff: bool = False) -> list[str]:
    """Merge the template's changes into the project; one line per file touched or in conflict.

    Lines about conflicts start with "conflict"; an empty list means nothing changed.
    `template_dir` defaults to Qantara's own template (the one `.cruft.json` must record).
    Without `apply` nothing is written (`update --check`); with `diff` each file's change
    follows its line as a unified diff (`update --diff`).
    """
    project = Path(project_dir)
    state, state_path = read_state(project)
    _refuse_unsafe_layout(project)
    template = _template(state, state_path, template_dir)
    values, messages = _values(project, state, state_path, template)
    with tempfile.TemporaryDirectory(prefix="qantara-update-") as scratch:
        fresh = render(template, values, Path(scratch))
        try:
            work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=project / ".qantara"))
            try:
                changes, merged = _plan(project, fresh, work, skip=state.get("skip") or [])
                changes += _bookkeeping(fresh, work, template, values, skip=state.get("skip") or [])
                copy_changes, copy_messages = _blueprint_changes(project, work, values)
                changes += copy_changes
                merged += copy_messages
                if diff:
                    merged += _diffs(project, changes)
                if apply:
                    apply_changes(project, changes, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        except OSError as error:  # a read-only project, a full disk: every change was undone
            raise ProjectError(f"{project}: cannot apply the update ({error.strerror or error}); nothing was "
                               f"changed") from None
    return messages + merged


def _template(state: dict, state_path: Path, template_dir: str | os.PathLike[str] | None) -> Path:
    """The template to run: the user's `--template`, else Qantara's own, which the file must name."""
    template = Path(template_dir) if template_dir is not None else TEMPLATE_DIR
    if template_dir is None and not _same_directory(state["template"], TEMPLATE_DIR):
        raise ProjectError(f"{state_path}: template: {short_repr(state['template'])} is not Qantara's template "
                           f"({TEMPLATE_DIR}); a template's hooks are code, so `qantara update` runs only Qantara's "
                           f"own unless you name one you trust with --template DIR")
    if not (template / "cookiecutter.json").is_file():
        raise ProjectError(f"{state_path}: template {template} is not there (or has no cookiecutter.json); "
                           f"pass the template's directory with --template")
    return template


def _same_directory(recorded: str, directory: Path) -> bool:
    try:
        return "\x00" not in recorded and Path(recorded).resolve() == directory.resolve()
    except (OSError, RuntimeError):
        return False


def _values(project: Path, state: dict, state_path: Path, template: Path) -> tuple[dict, list[str]]:
    """The recorded answers checked as `qantara new` checks them, plus platform facts from the blueprint."""
    from qantara.blueprint.loader import load_blueprint
    from qantara.sovereignty.placement import resolve_placement

    recorded = state["context"]["cookiecutter"]
    options = template_options(template)
    settable = [name for name in options if not name.startswith("_")]
    # Recorded private answers (`_region`...) and derived ones are never read: they are recomputed.
    problems = answer_type_problems(recorded, settable)
    if problems:
        raise ProjectError("\n".join(f"{state_path}: {problem}" for problem in problems))
    answers = {name: recorded[name] for name in settable if name in recorded}
    try:
        _given_answers(answers, None, options)
        # A project generated before `qantara_source` existed gets the checkout running the update.
        values = resolve_answers(options, answers, defaults={"qantara_source": default_qantara_source()},
                                 no_input=True)
        _check_blueprint_answer(str(values["blueprint"]))
        blueprint = project / str(values["blueprint"])
        loaded = load_blueprint(blueprint)
        _check_answers(values, options, loaded.model, blueprint, project.absolute().parent)
    except ProjectError as error:
        raise ProjectError("\n".join(f"{state_path}: {line}" for line in error.lines())) from None
    values.update(platform_facts(loaded.model, resolve_placement(loaded), values, template))
    messages = [f"new answer {name}: {short_repr(values[name])} (the template's default; edit .cruft.json to change it)"
                for name in settable if name not in recorded]
    return values, messages


def _check_blueprint_answer(answer: str) -> None:
    """The recorded blueprint path leads to a YAML file by a relative path, as `qantara new` records it:
    never an arbitrary file whose first line an error message would repeat."""
    if os.path.isabs(answer) or not answer.endswith((".yaml", ".yml")):
        raise ProjectError(f"answer 'blueprint': {short_repr(answer)} is not a relative path to a .yaml or .yml file "
                           f"(allowed: the path of the platform's blueprint, relative to the project)")


def _refuse_unsafe_layout(project: Path) -> None:
    """`.qantara/` and its baseline must be plain directories Qantara wrote, with no pending conflict."""
    for relative in (Path(".qantara"), BASELINE_DIR):
        reason = blocked(project, relative.as_posix(), directory=True)
        if reason or not (project / relative).is_dir():
            raise ProjectError(f"{project / relative}: {reason or 'is not a directory'}; only projects generated by "
                               f"`qantara new` can be updated (regenerate it and move your changes over)")
    odd = [path for path in _walk(project / BASELINE_DIR) if not stat.S_ISREG(os.lstat(path).st_mode)]
    if odd:
        raise ProjectError(f"{odd[0]}: the template baseline holds something other than a regular file (a symlink, "
                           f"a FIFO...), which Qantara never writes; restore {BASELINE_DIR} from version control")
    conflicts = project / CONFLICTS_DIR
    if os.path.lexists(conflicts):
        pending = sorted(p.relative_to(conflicts).as_posix() for p in _walk(conflicts)) if conflicts.is_dir() \
            and not conflicts.is_symlink() else [CONFLICTS_DIR.as_posix()]
        if pending:
            raise ProjectError(f"{conflicts}: {len(pending)} conflict(s) from an earlier update are pending "
                               f"({', '.join(pending[:3])}); apply or reject each .diff by hand and delete it, then "
                               f"update again (a new update would overwrite them)")


def _walk(root: Path) -> list[Path]:
    """Files and symlinks under `root`, never following a symlinked directory."""
    found = []
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        base = Path(directory)
        found += [base / name for name in files]
        found += [base / name for name in subdirectories if (base / name).is_symlink()]
    return found


def _files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in _walk(root)}


def _skipped(relative: str, skip: list[str]) -> bool:
    return any(relative == s.rstrip("/") or relative.startswith(s.rstrip("/") + "/") for s in skip)


def _read(path: Path) -> bytes | None:
    """A regular file's bytes; None when there is none (a symlink is never followed)."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    if status.st_size > MAX_MERGE_BYTES:
        raise ProjectError(f"{path}: {status.st_size} bytes, larger than the {MAX_MERGE_BYTES // 2**20} MiB "
                           f"`qantara update` merges; move it out of the template's paths or add it to skip")
    return path.read_bytes()


def _plan(project: Path, fresh: Path, work: Path, *, skip: list[str]) -> tuple[list[Change], list[str]]:
    """The changes the template's new rendering brings, staged under `work`, and their messages."""
    baseline = project / BASELINE_DIR
    changes, messages = [], []
    for relative in sorted(_files(baseline) | _files(fresh)):
        if _skipped(relative, skip):
            continue
        base, theirs = _read(baseline / relative), _read(fresh / relative)
        if base == theirs:
            continue  # the template did not change this file
        target = project / relative
        reason = blocked(project, relative)
        ours = None if reason else _read(target)
        if not reason and ours == theirs:
            continue  # already as the template has it
        if not reason and ours == base:
            changes.append(_stage(work, relative, theirs, fresh / relative))
            messages.append(_taken_message(relative, base, theirs))
            continue
        merged = None if reason else merge_text(base, ours, theirs)
        if merged is None:
            diff = conflict_diff(relative, base, theirs).encode("utf-8")
            changes.append(_stage(work, f"{CONFLICTS_DIR.as_posix()}/{relative}.diff", diff, None))
            messages.append(f"conflict in {relative}: {reason or _conflict_reason(base, ours, theirs)}; the file is left "
                            f"as it is, the template's change is in {(CONFLICTS_DIR / relative).as_posix()}.diff")
            continue
        changes.append(_stage(work, relative, merged, target))
        messages.append(f"merged {relative}: the template's change and your edits")
    return changes, messages


def _stage(work: Path, relative: str, content: bytes | None, mode_from: Path | None) -> Change:
    """A change putting `content` (None: removing the file) at `relative`, written under `work` now."""
    if content is None:
        return Change(relative, None)
    staged = work / "staged" / relative
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(content)
    if mode_from is not None:
        os.chmod(staged, stat.S_IMODE(os.stat(mode_from, follow_symlinks=False).st_mode))
    return Change(relative, staged)


def _diffs(project: Path, changes: list[Change]) -> list[str]:
    """Unified diffs of the project's files against what the update would put there (its own
    bookkeeping, the baseline and `.cruft.json`, left out)."""
    import difflib

    texts = []
    for change in changes:
        if change.directory or change.relative == CRUFT_FILE:
            continue
        target = project / change.relative
        before = _read(target) or b""
        after = change.staged.read_bytes() if change.staged is not None else b""
        if before == after:
            continue
        lines = difflib.unified_diff(before.decode("utf-8", "replace").splitlines(keepends=True),
                                     after.decode("utf-8", "replace").splitlines(keepends=True),
                                     f"a/{change.relative}", f"b/{change.relative}")
        texts.append("".join(lines).rstrip("\n"))
    return texts


def _blueprint_changes(project: Path, work: Path, values: dict) -> tuple[list[Change], list[str]]:
    """The project's copy of the platform's blueprint, refreshed from the recorded path, with its
    digest; a message when the copy changes."""
    source = project / str(values["blueprint"])
    content, digest = blueprint_copy(source)
    current = project / BLUEPRINT_COPY
    same = current.is_file() and not current.is_symlink() and current.read_bytes() == content
    messages = [] if same else [f"updated {BLUEPRINT_COPY}: copied from {values['blueprint']} (SHA-256 in {BLUEPRINT_DIGEST})"]
    return [_stage(work, BLUEPRINT_COPY, content, None), _stage(work, BLUEPRINT_DIGEST, digest, None)], messages


def _bookkeeping(fresh: Path, work: Path, template: Path, values: dict, *, skip: list[str]) -> list[Change]:
    """The new baseline and `.cruft.json`, applied with the files (the skip list is the user's: kept)."""
    baseline = work / "baseline"
    shutil.copytree(fresh, baseline, symlinks=True)
    state = {**cruft_state(template, values), "skip": skip}
    text = json.dumps(state, indent=2, ensure_ascii=False) + "\n"
    return [Change(BASELINE_DIR.as_posix(), baseline, directory=True), _stage(work, CRUFT_FILE, text.encode("utf-8"), None)]


def _taken_message(relative: str, base: bytes | None, theirs: bytes | None) -> str:
    if theirs is None:
        return f"removed {relative}: the template no longer has it, and you had not edited it"
    if base is None:
        return f"added {relative}: new in the template"
    return f"updated {relative}: the template's change (you had not edited it)"


def _conflict_reason(base: bytes | None, ours: bytes | None, theirs: bytes | None) -> str:
    if ours is None:
        return "you removed it and the template changed it"
    if theirs is None:
        return "the template removed it and you edited it"
    if base is None:
        return "you and the template both created it, differently"
    return "your edits and the template's change touch the same lines"
