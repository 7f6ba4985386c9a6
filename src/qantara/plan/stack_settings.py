"""The stack configuration `pulumi up` would give a program, and where each value comes from.

`pulumi up` configures a program, and the default provider of each package (`aws:region`,
`aws:endpoints`...), from the project's `Pulumi.yaml` (project-level `config`) and the stack's
settings file `Pulumi.<stack>.yaml` beside it (or under `stackConfigDir`), the stack file
winning. Qantara plans with the same values: for a user's program its own settings file (the
stack is the environment's name), for Qantara's own platform program the region placement
chose, which is what that stack's config holds. `--config KEY=VALUE` overrides either.

Both files are read with Qantara's safe YAML loader (no code, no custom tags, no duplicate
keys, bounded aliases); a mistake is reported with its file, line and field. A `secure:`
value cannot be read without the stack's secrets provider: it is the `SECRET` marker, and a
secret `aws:region` leaves the default provider's resources unknown.

The AWS provider also reads `AWS_REGION` / `AWS_DEFAULT_REGION` (pulumi-aws's Python SDK even
copies them into an explicit provider's `region` input when the program sets none). The
environment Qantara runs in is not the deployer's, so the offline run hides those variables
(`qantara.plan.aws_environment`), and a region left to them is unknown (docs/decisions.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qantara.blueprint.yaml_source import SourceDocument, load_yaml_with_positions
from qantara.errors import InputError, Problem

# Re-exported: where a stack's region comes from includes what the provider reads.
from qantara.plan.aws_environment import REGION_VARIABLES, region_environment, without_region_environment  # noqa: F401
from qantara.plan.document import SECRET


@dataclass(frozen=True)
class StackConfig:
    """Config values by namespaced key (`aws:region`), each with where it came from."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    # Where a value not set here could still come from, for messages: "Pulumi.prod.yaml".
    searched: str = "the stack config"
    # Pulumi ESC environments the stack file imports: they may set any value Qantara cannot read.
    esc_environments: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Mapping[str, Any], source: str) -> StackConfig:
        known = {k: v for k, v in values.items() if v is not None}
        return cls(known, dict.fromkeys(known, source), source)

    def updated(self, values: Mapping[str, Any], source: str) -> StackConfig:
        """This config with `values` set on top (an override such as `--config`)."""
        known = {k: v for k, v in values.items() if v is not None}
        return StackConfig({**self.values, **known}, {**self.sources, **dict.fromkeys(known, source)},
                           self.searched, self.esc_environments)

    def package_settings(self, package: str) -> dict[str, Any]:
        """The `<package>:*` values as a default provider of that package receives them:
        `{"region": ..., "endpoints": ...}`."""
        prefix = package + ":"
        return {key[len(prefix):]: value for key, value in self.values.items() if key.startswith(prefix)}

    def program_config(self) -> dict[str, str]:
        """The values as the program sees them (`pulumi.Config`): strings, structured values
        as JSON; a secret is the `SECRET` marker, so whatever it flows into is marked too."""
        return {key: value if isinstance(value, str) else json.dumps(value) for key, value in self.values.items()}


def stack_config_for(program_dir: Path, stack: str, *, placed_region: str | None,
                     overrides: Mapping[str, str] | None = None) -> StackConfig:
    """The config `pulumi up` of `program_dir`'s stack would use.

    `placed_region` is given for Qantara's own programs: their stack config holds the placed
    region. A user's program gets what its own `Pulumi.yaml` and `Pulumi.<stack>.yaml` say.
    """
    if placed_region:
        config = StackConfig.of({"aws:region": placed_region}, "the stack config (the blueprint's placed region)")
    else:
        config = read_stack_settings(program_dir, stack)
    return config.updated(overrides or {}, "--config")


def read_stack_settings(program_dir: Path, stack: str) -> StackConfig:
    """Project-level config of the nearest `Pulumi.yaml` at or above `program_dir`, overlaid
    with its stack settings file; empty when there is no project file."""
    project_file = _project_file(program_dir)
    if project_file is None:
        return StackConfig(searched="its stack config (the program has no Pulumi.yaml)")
    project = load_yaml_with_positions(project_file)
    name = project.data.get("name")
    namespace = name if isinstance(name, str) and name else program_dir.name
    values, sources = {}, {}
    for key, value in _project_level(project, namespace).items():
        if value is not None:
            values[key], sources[key] = value, project_file.name
    config_dir = project.data.get("stackConfigDir")
    if config_dir is not None and not isinstance(config_dir, str):
        raise _problem(project, ("stackConfigDir",), "must be a directory path relative to Pulumi.yaml")
    directory = project_file.parent / (config_dir or ".")
    settings_file = next((p for p in (directory / f"Pulumi.{stack}.yaml", directory / f"Pulumi.{stack}.yml")
                          if p.is_file()), None)
    if settings_file is None:
        return StackConfig(values, sources, f"{project_file.name} (there is no Pulumi.{stack}.yaml)")
    settings = load_yaml_with_positions(settings_file)
    for key, value in _stack_level(settings, namespace).items():
        if value is not None:  # `aws:region:` with nothing after it sets nothing
            values[key], sources[key] = value, settings_file.name
    return StackConfig(values, sources, settings_file.name, _esc_environments(settings))


def _project_file(program_dir: Path) -> Path | None:
    for directory in (program_dir, *program_dir.parents):
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            if (directory / name).is_file():
                return directory / name
    return None


def _problem(document: SourceDocument, path: tuple, message: str) -> InputError:
    line, column = document.position(path)
    return InputError(Problem(str(document.path), line, column, ".".join(map(str, path)), message))


def _config_block(document: SourceDocument) -> dict:
    block = document.data.get("config")
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise _problem(document, ("config",), "must be a mapping of config keys to values")
    return block


def _namespaced(key: str, namespace: str) -> str:
    return key if ":" in key else f"{namespace}:{key}"


def _stack_level(document: SourceDocument, namespace: str) -> dict[str, Any]:
    """A stack settings file's `config`: plain values, structured values, or `{secure: ...}`."""
    return {_namespaced(key, namespace): _value(document, ("config", key), value)
            for key, value in _config_block(document).items()}


def _value(document: SourceDocument, path: tuple, value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET
    if _holds_secure(value):
        return SECRET  # a structured value with a secret inside is a secret as a whole
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    raise _problem(document, path, "must be a string, number, boolean, list or mapping")


def _holds_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_holds_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secure(v) for v in value)
    return False


def _project_level(document: SourceDocument, namespace: str) -> dict[str, Any]:
    """Project-level config in `Pulumi.yaml`: a value, or a declaration whose `default`
    (or `value`) applies to every stack that does not set the key."""
    values = {}
    for key, declared in _config_block(document).items():
        if isinstance(declared, dict) and ("type" in declared or "default" in declared or "value" in declared):
            if "value" in declared or "default" in declared:
                values[_namespaced(key, namespace)] = _value(
                    document, ("config", key), declared.get("value", declared.get("default")))
        else:
            values[_namespaced(key, namespace)] = _value(document, ("config", key), declared)
    return values


def _esc_environments(document: SourceDocument) -> tuple[str, ...]:
    imports = document.data.get("environment")
    if isinstance(imports, str):
        return (imports,)
    if isinstance(imports, list):
        return tuple(str(name) for name in imports)
    if isinstance(imports, dict):  # `environment: {imports: [...]}`
        return tuple(str(name) for name in imports.get("imports") or [])
    return ()
