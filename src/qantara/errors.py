"""The one family of errors Qantara raises, and the exit code each maps to.

The CLI catches `QantaraError` only: anything else is a bug and exits 3 with its
traceback hidden behind a one-line message.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_CHECKPOINT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENGINE_FAULT = 3


class QantaraError(Exception):
    """Base of every error Qantara raises on purpose. Always carries a message."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str):
        if not message:
            raise ValueError("a QantaraError needs a message")
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The message as printed: one line per problem."""
        return [self.message]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(QantaraError):
    """Bad input or usage (exit 2): one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
            return
        if isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("an InputError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] if self.problems else [self.message]


class BlueprintError(InputError):
    """A blueprint that cannot be loaded, validated or placed."""


class ProjectError(InputError):
    """An ML project (its `qantara.yaml` manifest, model card or generation answers) is invalid."""


class CatalogError(QantaraError):
    """The sovereignty catalog is missing, malformed or stale: a fault of the installation."""

    exit_code = EXIT_ENGINE_FAULT


class PlanError(QantaraError):
    """A Pulumi program that failed while being planned offline."""


class PlannerFault(QantaraError):
    """The offline planner itself failed (not the program it planned): Qantara's fault."""

    exit_code = EXIT_ENGINE_FAULT


class PolicyEngineError(QantaraError):
    """A policy that does not compile or an engine that failed while evaluating."""

    exit_code = EXIT_ENGINE_FAULT
