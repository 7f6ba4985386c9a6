"""What the CI-file tests share: each CI's YAML as that CI reads it, its published schema, and the
commands its test jobs run, in order, with the local stand-in for every step that is not a command.

Facts relied on (read 2026-12-06):
- GitHub reads a workflow with the YAML 1.2 core schema: only true/True/TRUE and false/False/FALSE
  are booleans, so `on:` is the string key "on" (actions/runner,
  src/Sdk/DTPipelines/Pipelines/ObjectTemplating/YamlObjectReader.cs, MatchBoolean/MatchNull/
  MatchInteger/MatchFloat, commit 1a38e41a8a41c5946d3007d3370e17ec4f7c671c). PyYAML reads YAML 1.1,
  where `on` is True (yaml/pyyaml issue 679): validating PyYAML's reading would test the wrong file.
- GitLab reads .gitlab-ci.yml with Ruby's `YAML.safe_load` (Psych, YAML 1.1), as PyYAML's safe_load
  does (gitlabhq/gitlabhq, lib/gitlab/config/loader/yaml.rb, commit a18fe344473737422a4889e8a135a69c7a682c6a).
- A GitHub `run:` step with no `shell:` runs as `bash -e {0}` on Linux
  (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepsshell).
- A GitLab job's before_script and script lines run in one shell script that sets errexit and, where
  the shell has it, pipefail (gitlabhq/gitlab-runner, shells/bash.go, BashWriter.Finish, commit
  cadbdc8e0944b40f63c6dad168bc2ee31f1ff534); a job's `before_script` replaces default:'s (or the global one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml
from ml_project_cases import REPO

SCHEMAS = REPO / "tests" / "fixtures" / "schemas"
GITHUB_SCHEMA = SCHEMAS / "github-workflow" / "github-workflow.json"
GITLAB_SCHEMA = SCHEMAS / "gitlab-ci" / "ci.json"
CI_FILE = {"github": Path(".github/workflows/ci.yml"), "gitlab": Path(".gitlab-ci.yml")}
# The job of the generated workflow that runs on every push and pull request.
GITHUB_TEST_JOB = "test-and-check"


class YAML12CoreLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's implicit types, as GitHub reads a workflow."""


# Only null keeps YAML 1.1's resolver (its forms are the core schema's); bool, int and float are the
# core schema's, and 1.1's timestamps, `<<` merges and `=` values are plain strings.
YAML12CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YAML12CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
YAML12CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
YAML12CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))


def _core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0x"):
        return int(text[2:], 16)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 10)


def _core_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


YAML12CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
YAML12CoreLoader.add_constructor("tag:yaml.org,2002:float", _core_float)


def load_ci_file(ci: str, text: str) -> object:
    """The CI file as its CI reads it (GitHub: YAML 1.2 core schema; GitLab: YAML 1.1)."""
    if ci == "github":
        return yaml.load(text, Loader=YAML12CoreLoader)  # noqa: S506 - a SafeLoader subclass
    return yaml.safe_load(text)


def validator(ci: str) -> jsonschema.protocols.Validator:
    """The published schema of `ci`'s file, applied with the draft the schema declares, formats checked."""
    schema = json.loads((GITHUB_SCHEMA if ci == "github" else GITLAB_SCHEMA).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(ci: str, document: object) -> list[str]:
    """Every way `document` breaks its schema, each with its path; empty when it is valid. An error of a
    oneOf/anyOf is reported with every branch's own errors, which name the key at fault."""
    def leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
        return [error, *(leaf for branch in error.context or [] for leaf in leaves(branch))]

    found = [leaf for error in validator(ci).iter_errors(document) for leaf in leaves(error)]
    return sorted(f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}" for error in found)


class NoLocalEquivalent(Exception):
    """A CI step or key the local run cannot stand in for: the run stops rather than skip it."""


@dataclass(frozen=True)
class Job:
    """One CI job as the local run replays it: its shell scripts in order, its variables, its interpreter."""

    ci: str
    name: str
    scripts: tuple[str, ...]
    variables: tuple[tuple[str, str], ...] = ()
    # The X.Y Python the job's interpreter step (setup-python, the job image) asks for.
    python: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def commands(self) -> tuple:
        """What the job runs, for telling apart jobs that run the same thing."""
        return (self.ci, self.scripts, self.variables, self.python)


# Step keys whose meaning the local run reproduces; any other (if:, shell:, continue-on-error:,
# working-directory:, timeout-minutes:) would change what runs or whether a failure counts.
GITHUB_STEP_KEYS = {"name", "id", "run", "uses", "with", "env"}
GITHUB_JOB_KEYS = {"name", "runs-on", "steps", "permissions"}
SETUP_PYTHON_INPUTS = {"python-version-file", "python-version", "cache", "cache-dependency-path"}


def github_test_job(workflow: dict, checkout: Path) -> Job:
    """The workflow's test-and-check job: its `run:` steps, with its `uses:` steps as their local equivalents.

    actions/checkout is the fresh clone `checkout` itself (no inputs allowed: a ref, a path or a
    sparse checkout would be another tree); actions/setup-python is this machine's Python of the
    version the step asks for, as `python` on the PATH. Any other action has no local equivalent."""
    unknown_top = set(workflow) - {"name", "on", "jobs"}
    if unknown_top:
        raise NoLocalEquivalent(f"workflow keys {sorted(unknown_top)} (env, defaults, ...) change every step")
    job = workflow["jobs"][GITHUB_TEST_JOB]
    if set(job) - GITHUB_JOB_KEYS:
        raise NoLocalEquivalent(f"job keys {sorted(set(job) - GITHUB_JOB_KEYS)}")
    scripts, python, notes = [], "", []
    for number, step in enumerate(job["steps"], 1):
        if set(step) - GITHUB_STEP_KEYS:
            raise NoLocalEquivalent(f"step {number} keys {sorted(set(step) - GITHUB_STEP_KEYS)}")
        if "env" in step:
            raise NoLocalEquivalent(f"step {number} env: a step's own variables are not replayed")
        if "run" in step:
            scripts.append(step["run"])
            continue
        action, _, _version = step["uses"].partition("@")
        inputs = step.get("with") or {}
        if action == "actions/checkout" and not inputs:
            notes.append("actions/checkout: the fresh clone the steps run in")
        elif action == "actions/setup-python" and set(inputs) <= SETUP_PYTHON_INPUTS:
            if "python-version-file" in inputs:
                python = (checkout / inputs["python-version-file"]).read_text(encoding="utf-8").strip()
            else:
                python = str(inputs["python-version"])
            for path in str(inputs.get("cache-dependency-path", "")).split():
                # setup-python's pip cache is keyed on this file: one missing from the checkout fails the step.
                if not (checkout / path).is_file():
                    raise NoLocalEquivalent(f"cache-dependency-path {path} is not in the checkout")
            notes.append(f"actions/setup-python: this machine's Python {python} as `python`")
        else:
            raise NoLocalEquivalent(f"step {number}: {step['uses']} with {sorted(inputs)}")
    return Job("github", GITHUB_TEST_JOB, tuple(scripts), (), python, tuple(notes))


# Top-level keys of .gitlab-ci.yml that are not jobs (https://docs.gitlab.com/ci/yaml/, global keywords).
GITLAB_GLOBAL_KEYS = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
                      "before_script", "after_script"}
# Job keys that decide when a job runs: a job with none of them runs on every pipeline.
GITLAB_WHEN_KEYS = {"rules", "only", "except", "when"}
GITLAB_JOB_KEYS = {"stage", "script", "before_script", "variables", "image"}
# What `default:` may hold for the local run: the cache is the warm pip cache either way.
GITLAB_DEFAULT_KEYS = {"image", "before_script", "cache"}
DEFAULT_STAGES = ["build", "test", "deploy"]
# The images whose interpreter is `python` of a version: the local run stands in this machine's.
PYTHON_IMAGE = re.compile(r"^python:(\d+\.\d+)$")


def gitlab_every_push_jobs(pipeline: dict) -> list[Job]:
    """The jobs of every pipeline (no rules, only, except or when), in stage order, as GitLab runs each:
    in a fresh checkout and a fresh container of its image, before_script then script, with the
    global variables and its own."""
    unsupported = {"include", "services", "after_script", "workflow"} & set(pipeline)
    if unsupported:
        raise NoLocalEquivalent(f"global keys {sorted(unsupported)}")
    default = pipeline.get("default", {})
    if set(default) - GITLAB_DEFAULT_KEYS:
        raise NoLocalEquivalent(f"default keys {sorted(set(default) - GITLAB_DEFAULT_KEYS)}")
    stages = pipeline.get("stages", DEFAULT_STAGES)
    jobs = {name: job for name, job in pipeline.items() if name not in GITLAB_GLOBAL_KEYS
            and not name.startswith(".") and not GITLAB_WHEN_KEYS & set(job)}
    found = []
    for name, job in sorted(jobs.items(), key=lambda item: stages.index(item[1].get("stage", "test"))):
        if set(job) - GITLAB_JOB_KEYS:
            raise NoLocalEquivalent(f"job {name} keys {sorted(set(job) - GITLAB_JOB_KEYS)}")
        # A job's own keyword, else default:'s, else the (deprecated) global one.
        image = job.get("image", default.get("image", pipeline.get("image", "")))
        matched = PYTHON_IMAGE.match(str(image))
        if not matched:
            raise NoLocalEquivalent(f"job {name} image {image!r}: only python:<X.Y> has a local equivalent")
        lines = [*job.get("before_script", default.get("before_script", pipeline.get("before_script", []))),
                 *job["script"]]
        variables = {**pipeline.get("variables", {}), **job.get("variables", {})}
        found.append(Job("gitlab", name, ("\n".join(lines),), tuple(variables.items()), matched.group(1),
                         (f"image {image}: a fresh virtualenv of this machine's Python {matched.group(1)}",)))
    return found
