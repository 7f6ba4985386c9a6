"""The outputs of a stack another program reads through a StackReference, for an offline plan.

A project's infra/ program reads the platform stack's outputs; offline there is no stack, so
`qantara check --program ... --stack-outputs FILE` hands them in: the JSON `pulumi stack output
--json` prints (an object of output name to value). The planner answers every StackReference
with them (a preview of a project whose platform is deployed).
"""

from __future__ import annotations

import json
import os

from qantara.errors import InputError
from qantara.input_file import read_regular_file, shorten

# A platform's outputs are a few kilobytes; a larger file is not one.
LIMIT = 4 * 1024 * 1024
STACK_REFERENCE = "pulumi:pulumi:StackReference"


def load_stack_outputs(path: str | os.PathLike[str]) -> dict:
    """The outputs in `path`, refused with one located message when it is not a JSON object."""
    text = read_regular_file(path, LIMIT, "stack outputs file")
    try:
        outputs = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        where = f"line {error.lineno}, column {error.colno}: " if isinstance(error, json.JSONDecodeError) else ""
        raise InputError(f"{path}: {where}not JSON ({shorten(str(error))}); expected what "
                         "`pulumi stack output --json` prints") from None
    if not isinstance(outputs, dict):
        raise InputError(f"{path}: a JSON {type(outputs).__name__}, expected an object of output name to value "
                         "(what `pulumi stack output --json` prints)")
    return outputs


def known_outputs(outputs: dict | None) -> dict[str, dict] | None:
    """What the offline planner's mocks answer a StackReference with."""
    if outputs is None:
        return None
    return {STACK_REFERENCE: {"outputs": outputs, "secretOutputNames": []}}
