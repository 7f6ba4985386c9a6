"""Plan a Pulumi program in a fresh child process, as the Pulumi language host runs it.

The parent (`plan_program`) starts `python -m qantara.plan.child` in the program's directory
and writes one JSON request on its stdin: ``{"programDir", "project", "stack", "config"}``.
The child runs the program under the offline mocks (`qantara.plan.offline`) and writes one
JSON answer on its stdout: ``{"resources", "warnings", "outcome"}`` and exits 0, or
``{"error": message}`` and exits 2 when the program failed (its fault: a located message) or
3 when the planner did (Qantara's fault). Whatever the program prints goes to stderr, so it
never mixes with the answer.

A fresh process per plan means nothing a program does (imports, globals, threads, event
loops, monkey-patches) stays in Qantara's interpreter or reaches the next plan.

A `Planner` starts the child before its request is known (`qantara check` starts it first
thing, then loads and places the blueprint and compiles the policies while the child imports
Pulumi): the child imports Pulumi, then reads one line on stdin, a JSON list of the modules
the program will import (`Planner.warm`, sent once the blueprint says which; a head start
only, never trusted for anything), imports them, and then waits for the request. The
request, and the residency verdicts in it, are checked exactly as when the child is started
with its request.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import runpy
import subprocess
import sys
import traceback
from pathlib import Path

from qantara.errors import EXIT_BAD_INPUT, EXIT_ENGINE_FAULT, InputError, PlanError, PlannerFault

# Seconds a program may take to plan (QANTARA_PLAN_TIMEOUT overrides).
DEFAULT_TIMEOUT = 900

_QANTARA_PLAN = Path(__file__).resolve().parent
# Faults of the event loop machinery are never a program's doing: they are the planner's.
_LOOP_FAULTS = ("attached to a different loop", "Event loop is closed", "different event loop")


def plan_program(program_dir: Path, *, project: str, stack: str, config: dict[str, str],
                 stack_outputs: dict | None = None) -> dict:
    """Run the program in `program_dir` in a child process; return its answer:
    ``{"resources": [...], "warnings": [...], "outcome": {...}}``. `stack_outputs` are what
    every StackReference of the program reads (qantara.plan.stack_outputs)."""
    with Planner(program_dir) as planner:
        return planner.plan(project=project, stack=stack, config=config, stack_outputs=stack_outputs)


class Planner:
    """One planning child process, started at once and handed its request later (`plan`).

    The child imports Pulumi (and the modules `warm` names) while its parent does other work,
    then waits for the request on stdin. Used as a context manager: a planner whose request
    never comes (the blueprint was refused first) is stopped on exit."""

    def __init__(self, program_dir: Path, warm: tuple[str, ...] | None = None):
        self.program_dir = program_dir.resolve()
        if not (self.program_dir / "__main__.py").is_file():
            raise PlanError(f"{self.program_dir}: not a Pulumi Python program (no __main__.py)")
        self._timeout = _timeout()
        self.warmed: tuple[str, ...] | None = None  # what `warm` told the child, once
        self._process = subprocess.Popen([sys.executable, "-m", "qantara.plan.child"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, cwd=self.program_dir, env=_child_environment())
        if warm is not None:
            self.warm(warm)

    def warm(self, modules: tuple[str, ...]) -> None:
        """Tell the child which modules the program will import, so that it imports them while
        this process prepares the request (once, before `plan`; `plan` sends none otherwise)."""
        if self.warmed is not None:
            raise PlannerFault(f"{self.program_dir}: the planner was told twice what to warm")
        self.warmed = tuple(modules)
        try:
            self._process.stdin.write(json.dumps(list(self.warmed)) + "\n")
            self._process.stdin.flush()
        except OSError:
            pass  # the child is gone: `plan` reports how it ended

    def __enter__(self) -> Planner:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def plan(self, *, project: str, stack: str, config: dict[str, str], stack_outputs: dict | None = None) -> dict:
        """Send the request and wait for the answer (once per planner)."""
        from qantara.sovereignty.region_verdicts import exported

        # The residency verdicts this process already has: a program that places its blueprint
        # (the platform's) then asks Rego nothing the parent already asked.
        request = {"programDir": str(self.program_dir), "project": project, "stack": stack, "config": config,
                   "regionVerdicts": exported(), "stackOutputs": stack_outputs}
        if self.warmed is None:
            self.warm(())
        try:
            stdout, stderr = self._process.communicate(json.dumps(request), timeout=self._timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise PlannerFault(f"{self.program_dir}: planning did not finish within {self._timeout:.0f} s "
                               "(QANTARA_PLAN_TIMEOUT sets the limit)") from None
        return _answer(self.program_dir, self._process.returncode, stdout, stderr)

    def stop(self) -> None:
        """End the child if it still runs (its request never came, or it ran out of time)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def _answer(program_dir: Path, returncode: int, stdout: str, stderr: str) -> dict:
    """The child's answer, or the error it reported (its exit code says whose fault)."""
    try:
        answer = json.loads(stdout)
    except ValueError:
        # The program's own output may hold anything (secrets included): shown only on request.
        tail = (" | ".join(stderr.strip().splitlines()[-3:]) if os.environ.get("QANTARA_DEBUG")
                else "set QANTARA_DEBUG=1 to see its last output")
        raise PlannerFault(f"{program_dir}: the planner process ended with code {returncode} "
                           f"and no answer ({tail})") from None
    if returncode == EXIT_BAD_INPUT:
        raise PlanError(answer["error"])
    if returncode != 0:
        raise PlannerFault(answer.get("error") or f"{program_dir}: the planner failed (code {returncode})")
    return answer


def _timeout() -> float:
    text = os.environ.get("QANTARA_PLAN_TIMEOUT", str(DEFAULT_TIMEOUT))
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise InputError(f"QANTARA_PLAN_TIMEOUT={text!r}: expected a number of seconds above 0")
    return seconds


def _child_environment() -> dict[str, str]:
    """The caller's environment, with PYTHONPATH made absolute: the child runs in the
    program's directory, and a relative entry means what it meant where Qantara was started."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    return env


# --- the child ------------------------------------------------------------------------------

def _is_planner_fault(error: BaseException) -> bool:
    if isinstance(error, RuntimeError) and any(text in str(error) for text in _LOOP_FAULTS):
        return True
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().parent == _QANTARA_PLAN


def _where(error: BaseException, program_dir: Path) -> str:
    """The program's own line that led to the error (else the innermost frame)."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if Path(f.filename).resolve().is_relative_to(program_dir)]
    frame = (own or frames or [None])[-1]
    return f" ({frame.filename}:{frame.lineno})" if frame else ""


def _failure(error: BaseException, program_dir: Path) -> tuple[int, str]:
    import pulumi

    from qantara.plan.transforms import TransformFailed

    if isinstance(error, (pulumi.RunError, TransformFailed)):
        return EXIT_BAD_INPUT, f"{program_dir}: the program stopped: {error}"
    if _is_planner_fault(error):
        return EXIT_ENGINE_FAULT, (f"{program_dir}: the offline planner failed: {type(error).__name__}: {error}"
                                   f"{_where(error, program_dir)} (a fault of Qantara, not of the program)")
    return EXIT_BAD_INPUT, (f"{program_dir}: the program raised {type(error).__name__}: {error}"
                            f"{_where(error, program_dir)}")


def _unanswered_note(outcome) -> str:
    """A failing program's unanswered lookups: the usual reason it failed offline."""
    tokens = sorted({lookup["token"] for lookup in outcome.unanswered_invokes})
    if not tokens:
        return ""
    return (f"; the offline plan could not answer the lookups {', '.join(tokens)} (they returned nothing): "
            "check the real `pulumi preview --json` with `qantara check --plan` instead")


def _run(request: dict, outcome) -> dict:
    from qantara.plan.offline import run_under_mocks, working_directory
    from qantara.plan.offline_invokes import unanswered_uses
    from qantara.plan.stack_outputs import known_outputs

    program_dir = Path(request["programDir"])
    warnings: list[str] = []
    with working_directory(program_dir):
        resources = run_under_mocks(lambda: runpy.run_path(str(program_dir), run_name="__main__"),
                                    project=request["project"], stack=request["stack"], config=request["config"],
                                    warnings=warnings, outcome=outcome,
                                    known_outputs=known_outputs(request.get("stackOutputs")))
    # Registration order follows thread timing (a resource registers when its inputs resolve),
    # so the plan is ordered by URN, the stack first: the same program, the same plan.
    resources.sort(key=lambda r: (r["type"] != "pulumi:pulumi:Stack", r["urn"]))
    unanswered_uses(resources, outcome.unanswered_invokes)
    return {"resources": resources, "warnings": sorted(set(warnings)), "outcome": outcome.to_source()}


def _warm(stdin) -> None:
    """Import Pulumi, then what the parent's first line on `stdin` (a JSON list of module names)
    says the program will import, while the parent is still preparing the request. Only a head
    start: a module that fails here fails again, located, when the program runs; a line that
    is not a list of names warms nothing more."""
    # What is imported lives as long as the process: the collector has nothing to find in it,
    # and scanning it again on each collection while the program runs cost about 0.3 s a plan.
    gc.disable()
    import qantara.plan.offline  # noqa: F401 - imports Pulumi, which every program needs

    # Read only now: Pulumi is imported while the parent loads the blueprint that says what else.
    for name in _module_names(stdin.readline()):
        try:
            # pulumi_aws's service modules load lazily: reading an attribute loads one.
            getattr(importlib.import_module(name), "__all__", None)
        except Exception:  # noqa: BLE001, S112 - see the docstring
            continue
    gc.freeze()
    gc.enable()


def _module_names(line: str) -> list[str]:
    try:
        names = json.loads(line) if line.strip() else []
    except ValueError:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def main() -> int:
    answer_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    # What the program prints goes to stderr: stdout carries only the answer.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _warm(sys.stdin)
    request = json.loads(sys.stdin.read())
    program_dir = Path(request["programDir"])
    from qantara.plan.offline import Outcome
    from qantara.sovereignty.region_verdicts import seed

    seed(request.get("regionVerdicts"))

    outcome = Outcome()
    try:
        answer, code = _run(request, outcome), 0
    except SystemExit as error:
        answer, code = {"error": f"{program_dir}: the program called sys.exit({error.code})"}, EXIT_BAD_INPUT
    except BaseException as error:  # noqa: BLE001 - a program can raise anything; classify and locate it
        code, message = _failure(error, program_dir)
        answer = {"error": message + (_unanswered_note(outcome) if code == EXIT_BAD_INPUT else "")}
    json.dump(answer, answer_stream)
    answer_stream.flush()
    return code


if __name__ == "__main__":
    # os._exit: the SDK's executor threads and gRPC servers must not hold the process open.
    exit_code = main()
    sys.stderr.flush()
    os._exit(exit_code)
