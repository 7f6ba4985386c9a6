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

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from qantara.errors import ProjectError

PROMPTS_KEY = "__prompts__"


def resolve_answers(options: Mapping[str, object], given: Mapping[str, object], *,
                    defaults: Mapping[str, object] | None = None, no_input: bool) -> dict:
    """Every template variable's value, in `cookiecutter.json` order.

    `given` answers are taken as they are and never asked; `defaults` replace the template's
    default of a question that is still asked (unless `no_input`); derived (`__`) variables
    are rendered from the template; private (`_`) ones are copied from the template.
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
            values[name] = _ask(environment, name, raw, defaults, values, prompts, no_input)
    values["environments"] = ",".join(e.strip() for e in str(values.get("environments", "")).split(","))
    return values


def _ask(environment, name: str, raw: object, defaults: Mapping[str, object], values: Mapping[str, object],
         prompts: Mapping, no_input: bool) -> object:
    """One question: its default (ours, else the template's), asked unless `no_input`."""
    if isinstance(raw, list):
        choices = [str(_template_default(environment, name, choice, values)) for choice in raw]
        preferred = defaults.get(name)
        if preferred in choices:  # offered first, as cookiecutter orders an overridden choice
            choices.remove(preferred)
            choices.insert(0, preferred)
        if no_input:
            return choices[0]
        from cookiecutter.prompt import read_user_choice

        return read_user_choice(name, choices, prompts)
    default = defaults[name] if name in defaults else _template_default(environment, name, raw, values)
    if no_input:
        return default
    from cookiecutter.prompt import read_user_variable

    return read_user_variable(name, default, prompts)


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
