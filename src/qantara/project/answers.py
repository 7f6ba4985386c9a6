"""The template's variables from the answers, with every answer kept as data.

cookiecutter renders each answer as a Jinja template before it uses it (`prompt_for_config`
passes `extra_context` and replayed values through `render_variable`, in an environment that
is not sandboxed): `{{ 7*7 }}` would become 49 and `{{ cookiecutter.__class__... }}` would
reach Python itself. Here an answer, given (`--set`, `.cruft.json`) or typed at a prompt, is
used exactly as written. Only the template's own defaults, such as the derived
`project_slug`, are rendered, in Jinja's immutable sandbox: the template is Qantara's code,
the answers never are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from qantara.errors import ProjectError

PROMPTS_KEY = "__prompts__"


class AnswerRules(Protocol):
    """What the platform allows for each question, asked while prompting (`interactive.py`)."""

    def choices(self, name: str, offered: list[str], values: Mapping[str, object]) -> list[str]:
        """The offered choices the answers so far still allow, in the order offered."""

    def hint(self, name: str, values: Mapping[str, object]) -> str | None:
        """What a free-text question accepts, shown with its prompt."""

    def problems(self, name: str, value: str, values: Mapping[str, object]) -> list[str]:
        """Why `value` cannot be this question's answer, given the answers so far ([] when it can)."""


def resolve_answers(options: Mapping[str, object], given: Mapping[str, object], *,
                    defaults: Mapping[str, object] | None = None, no_input: bool,
                    rules: AnswerRules | None = None) -> dict:
    """Every template variable's value, in `cookiecutter.json` order.

    `given` answers are taken as they are and never asked; `defaults` replace the template's
    default of a question that is still asked (unless `no_input`); derived (`__`) variables
    are rendered from the template; private (`_`) ones are copied from the template. With
    `rules`, a question offers only the choices the platform allows and a refused answer is
    asked again at once, with the reason, rather than failing after the last question.
    """
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    prompts = options.get(PROMPTS_KEY) or {}
    defaults = defaults or {}
    values: dict[str, object] = {}
    for name, raw in options.items():
        if name == PROMPTS_KEY:
            continue
        if name.startswith("__"):
            values[name] = _template_default(environment, name, raw, values)
        elif name.startswith("_"):
            values[name] = raw
        elif name in given:
            values[name] = given[name]
        else:
            values[name] = _ask(environment, name, raw, defaults, values, prompts, no_input, rules)
    values["environments"] = ",".join(e.strip() for e in str(values.get("environments", "")).split(","))
    return values


def _ask(environment, name: str, raw: object, defaults: Mapping[str, object], values: Mapping[str, object],
         prompts: Mapping, no_input: bool, rules: AnswerRules | None = None) -> object:
    """One question: its default (ours, else the template's), asked unless `no_input`."""
    if isinstance(raw, list):
        choices = [str(_template_default(environment, name, choice, values)) for choice in raw]
        if rules is not None and not no_input:
            choices = rules.choices(name, choices, values) or choices  # none left: the final check says why
        preferred = defaults.get(name)
        if preferred in choices:  # offered first, as cookiecutter orders an overridden choice
            choices.remove(preferred)
            choices.insert(0, preferred)
        if no_input:
            return choices[0]
        from cookiecutter.prompt import read_user_choice

        return _until_allowed(name, values, rules, lambda: read_user_choice(name, choices, prompts))
    default = defaults[name] if name in defaults else _template_default(environment, name, raw, values)
    if no_input:
        return default
    from cookiecutter.prompt import read_user_variable

    hint = rules.hint(name, values) if rules is not None else None
    if hint:
        prompts = {**prompts, name: f"{prompts.get(name, name)} ({hint})"}
    return _until_allowed(name, values, rules, lambda: read_user_variable(name, default, prompts))


# A person who cannot find an allowed answer in this many tries is told every rule and stopped.
MAX_TRIES = 5


def _until_allowed(name: str, values: Mapping[str, object], rules: AnswerRules | None, read) -> object:
    """Ask with `read` until the answer is allowed; each refusal is printed with its reason."""
    import click

    for _ in range(MAX_TRIES):
        answer = read()
        problems = rules.problems(name, str(answer), values) if rules is not None else []
        if not problems:
            return answer
        for problem in problems:
            click.echo(f"refused: {problem}", err=True)
    raise ProjectError(f"answer {name!r}: no allowed answer after {MAX_TRIES} tries; nothing was written")


def _template_default(environment, name: str, raw: object, values: Mapping[str, object]) -> object:
    """A default written in the template (trusted), rendered in the sandbox over the answers so far."""
    if not isinstance(raw, str):
        return raw
    try:
        return environment.from_string(raw).render(cookiecutter=dict(values))
    except SecurityError as error:
        raise ProjectError(f"template variable {name!r}: its default reaches what the sandbox forbids ({error})") \
            from None
    except TemplateError as error:
        raise ProjectError(f"template variable {name!r}: its default cannot be rendered ({error})") from None
