"""`qantara new ml-project`: an ML project from `templates/ml-project` that knows its platform.

Answers are checked before anything is written: cookiecutter drops unknown keys silently and
re-asks nothing, so each of those is refused here with one message naming the answer, what
is wrong and what is allowed. Answers are data, never rendered as templates (`answers.py`).
The project is rendered into a temporary directory and renamed into place beside the others:
a failure leaves nothing, not even the output directories it created.

The project records its answers and the template's fingerprint in a cruft-compatible
`.cruft.json`, and what the template produced in `.qantara/template-baseline/`: the common
ancestor `qantara update` merges from (`update.py`).
"""

from __future__ import annotations

import hashlib
import json
import keyword
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from qantara.errors import ProjectError
from qantara.input_file import short_repr
from qantara.paths import project_root

# cookiecutter, the blueprint loader and placement are imported where they are used: the
# template's post-generation hook imports this module for `prune_unselected` alone, in a
# process of its own, and should not pay for them.

TEMPLATE_DIR = project_root() / "templates" / "ml-project"
CRUFT_FILE = ".cruft.json"
BASELINE_DIR = Path(".qantara") / "template-baseline"
# The platform stack output holding the MLflow tracking URI the project logs to: the cloud
# side's, or the site's when experiment tracking is placed on-prem (onprem_platform's name).
TRACKING_URI_OUTPUT = "trackingUri"
ONPREM_TRACKING_URI_OUTPUT = "onPremTrackingUri"

TEMPLATE_SYNTAX = ("{{", "{%", "{#")
# Answers land in YAML, TOML and Python string literals unescaped: these would need escaping.
# C1 controls and the byte-order mark are not printable YAML; NEL, LS and PS are line breaks
# to PyYAML (YAML 1.1) and would fold a quoted value; U+FFFE/U+FFFF are not characters.
FORBIDDEN_CHARACTERS = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')
SLUG = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# The slug names SageMaker resources with suffixes (`<slug>-champion-1a2b3c4`), within 63.
SLUG_MAX = 40
# A model served in real time: the blueprint's limit for its served models (ServedModel.name).
SERVED_MODEL_MAX = 32
# Names a package in src/ would shadow, breaking the project's own imports.
TAKEN_NAMES = frozenset({"tests", "qantara", "sklearn", "pandas", "numpy", "mlflow", "pandera", "yaml", "skops",
                         "pulumi", "pulumi_aws", "scipy", "setuptools", "pytest"})
TEXT_LIMITS = {"project_name": 64, "owner": 128, "team": 128, "description": 300}
# Linux's limits on one name and on a whole path, in bytes.
NAME_MAX = 255
PATH_MAX = 4096


def prune_unselected(project_dir: Path, *, slug: str, serving: str, ci: str) -> list[str]:
    """Remove what the answers did not choose (the template's post-generation hook)."""
    removed = []
    root = project_dir.resolve()
    for relative in unselected_paths(slug=slug, serving=serving, ci=ci):
        path = project_dir / relative
        # The slug is checked before rendering; this holds even for a hook run by hand.
        if not SLUG.match(slug) or root not in path.resolve().parents:
            raise ValueError(f"{relative}: outside the project {project_dir}; nothing removed there")
        if path.is_symlink():
            path.unlink()  # the link, never what it points to
        elif path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(relative)
    return removed


def unselected_paths(*, slug: str, serving: str, ci: str) -> list[str]:
    """Template paths a project with these answers does not get."""
    paths = []
    if serving == "none":
        # The image stays: the pipeline's steps run in it on the platform, served or not.
        paths += [f"src/{slug}/serve.py", "tests/test_serve.py"]
    if ci != "github":
        paths.append(".github")
    if ci != "gitlab":
        paths.append(".gitlab-ci.yml")
    return paths


def template_options(template: Path) -> dict:
    """The template's cookiecutter.json."""
    return json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))


def template_version(template: Path) -> str:
    """The version people read (the template's VERSION file)."""
    return (template / "VERSION").read_text(encoding="utf-8").strip()


def template_fingerprint(template: Path) -> str:
    """A hash of every template file: it changes whenever the template does, VERSION or not."""
    digest = hashlib.sha256()
    for path in sorted(p for p in template.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(template).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def new_ml_project(blueprint_path: str | os.PathLike[str], *, environments: Iterable[str] | None = None,
                   answers: Mapping[str, str], no_input: bool, output_dir: str | os.PathLike[str],
                   template_dir: str | os.PathLike[str] | None = None) -> Path:
    """Generate an ML project for the blueprint's platform in `output_dir`; its path.

    `answers` are cookiecutter answers by name (`--set` on the command line); `environments`
    (`--env`) defaults to all of the blueprint's. Without `no_input` the missing answers are
    asked for. Every invalid answer is a `ProjectError`, raised before anything is written.
    """
    from qantara.blueprint.loader import load_blueprint
    from qantara.project.answers import resolve_answers
    from qantara.project.sources import default_qantara_source
    from qantara.sovereignty.placement import resolve_placement

    template = Path(template_dir) if template_dir is not None else TEMPLATE_DIR
    output_dir = Path(output_dir)
    blueprint_path = Path(blueprint_path)
    options = template_options(template)
    given = _given_answers(answers, environments, options)
    problems = output_dir_problems(output_dir)
    if problems:
        raise ProjectError("\n".join(problems))
    loaded = load_blueprint(blueprint_path)
    placement = resolve_placement(loaded)
    platform = loaded.model

    serving = given.get("serving", _default(options, "serving"))
    # Before any question: a platform the pipeline cannot run on is refused whatever the answers
    # (serving=none asks the least of it), and so is a serving answer given that it refuses.
    _refuse_pipeline_site(loaded, placement, given.get("serving", "none"))
    limit, _ = classification_limit(platform, serving)
    defaults = {
        # The project lands in output_dir/<slug>, one level below output_dir.
        "blueprint": "../" + Path(os.path.relpath(blueprint_path.resolve(), output_dir.resolve())).as_posix(),
        "environments": ",".join(e.name for e in platform.spec.environments),
        "data_classification": limit,
        "qantara_source": default_qantara_source(),
    }
    from qantara.project.interactive import PlatformRules

    rules = PlatformRules(platform, options, blueprint_path, output_dir, placement=placement)
    values = resolve_answers(options, given, defaults=defaults, no_input=no_input, rules=rules)
    _check_answers(values, options, platform, blueprint_path, output_dir)
    _refuse_pipeline_site(loaded, placement, str(values["serving"]))
    values.update(platform_facts(platform, placement, values, template))
    return _render_atomically(template, values, output_dir, blueprint_path)


def _refuse_pipeline_site(loaded, placement, serving: str) -> None:
    """Refuse a project whose pipeline has no place (located in the blueprint) or whose place is an
    Outposts site."""
    from qantara.project.pipeline_place import pipeline_place
    from qantara.project.pipeline_site import pipeline_site_problems

    place = pipeline_place(placement, serving)
    if place.where is None:
        raise ProjectError(loaded.problem(place.field, place.problem))
    problems = pipeline_site_problems(loaded.model, placement, place.where)
    if problems:
        raise ProjectError("\n".join(problems))


def classification_limit(platform, serving: str) -> tuple[str, str]:
    """The highest class a project may declare, and what sets it (`component_use`, the rule
    `check --project` applies too). The template writes one dataset, of the project's class."""
    from qantara.project.component_use import classification_limit as limit_of

    return limit_of(platform, serving, has_datasets=True)


def platform_facts(platform, placement, values: Mapping[str, object], template: Path) -> dict[str, str]:
    """The private template variables: what the project knows about its platform."""
    limit, _ = classification_limit(platform, str(values["serving"]))
    region = placed_in(platform, placement, str(values["serving"]))
    return {
        "_platform": platform.metadata.name,
        "_jurisdiction": platform.spec.jurisdiction,
        "_region": region,
        "_tracking_uri_output": tracking_uri_output(placement),
        "_sagemaker_tracking": "yes" if sagemaker_tracking(placement, region) else "",
        "_registry_group": str(values["project_slug"]).replace("_", "-"),
        "_classification_limit": limit,
        "_template_version": template_version(template),
    }


def placed_in(platform, placement, serving: str) -> str:
    """Where the project's pipeline and workloads go, as a region or `onprem:<site>`: where the data
    lake it trains from is (`pipeline_place`); a `ProjectError` when no single place will do."""
    from qantara.project.pipeline_place import pipeline_place

    place = pipeline_place(placement, serving)
    if place.where is None:
        raise ProjectError(f"platform {platform.metadata.name}: {'.'.join(place.field)}: {place.problem}")
    return place.where


def sagemaker_tracking(placement, place: str) -> bool:
    """Whether the project's SageMaker pipeline logs its runs to the platform's MLflow: only when
    experiment tracking is the platform's SageMaker MLflow in the pipeline's own region (the platform
    stack's account). A run's lineage is metadata of classified data and stays where it is processed;
    anywhere else the pipeline has no track step and the README says what is not logged."""
    tracking = placement.components.get("experimentTracking")
    return tracking is not None and tracking.kind == "cloud" and tracking.region == place


def tracking_uri_output(placement) -> str:
    """The platform stack output the project's README and config name for MLflow."""
    tracking = placement.components.get("experimentTracking")
    return ONPREM_TRACKING_URI_OUTPUT if tracking is not None and tracking.kind == "onprem" else TRACKING_URI_OUTPUT


def render(template: Path, values: Mapping[str, object], output_dir: Path) -> Path:
    """Render `template` with complete `values` into `output_dir/<slug>` (hooks run); its path.

    cookiecutter renders the path of each directory it creates, the output directory's path
    included, as a Jinja template (`generate_files`): a project under `/tmp/{{ 7*7 }}` would
    land in `/tmp/49`, and a path can hold code as well as arithmetic. So the project is
    rendered in a fresh temporary directory whose path holds no braces, then moved, and only
    the template's own variables reach cookiecutter (never `_extensions`, which it imports).
    """
    from cookiecutter.generate import generate_files

    options = template_options(template)
    context = {"cookiecutter": {name: value for name, value in values.items() if name in options}}
    with tempfile.TemporaryDirectory(prefix="qantara-render-") as scratch:
        if "{" in scratch or "}" in scratch:
            raise ProjectError(f"the temporary directory {scratch} has braces in its path, which cookiecutter would "
                               f"render as a template; set TMPDIR to a plain directory")
        rendered = Path(generate_files(repo_dir=str(template), context=context, output_dir=scratch))
        destination = output_dir / rendered.name
        shutil.move(str(rendered), str(destination))
    return destination


def cruft_state(template: Path, values: Mapping[str, object]) -> dict:
    """`.cruft.json` as cruft writes it; `commit` is the template's fingerprint, as this
    template lives in Qantara's tree rather than in a repository of its own."""
    return {
        "template": str(template.resolve()),
        "commit": template_fingerprint(template),
        "checkout": None,
        "context": {"cookiecutter": {**values, "_template": str(template.resolve())}},
        "directory": None,
        "skip": [],
    }


def record_generation(project: Path, template: Path, values: Mapping[str, object]) -> None:
    """Write `.cruft.json` and snapshot the freshly rendered files as the update baseline."""
    baseline = project / BASELINE_DIR
    snapshot = Path(tempfile.mkdtemp(prefix=".baseline-", dir=project.parent))
    try:
        shutil.copytree(project, snapshot, dirs_exist_ok=True)
        baseline.parent.mkdir(parents=True, exist_ok=True)
        snapshot.rename(baseline)
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)
    write_json(project / CRUFT_FILE, cruft_state(template, values))


def write_json(path: Path, data: dict) -> None:
    """Write `data` to `path` through a temporary file, so it is never half-written."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def _render_atomically(template: Path, values: Mapping[str, object], output_dir: Path, blueprint: Path) -> Path:
    from qantara.project.sources import write_blueprint_copy

    target = output_dir / str(values["project_slug"])
    if target.exists() or target.is_symlink():
        raise ProjectError(f"{target} already exists; `qantara new` never overwrites. Choose another project_slug "
                           f"or output directory, or `qantara update {target}` to apply template changes")
    created = _first_missing(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProjectError(f"--output-dir {output_dir}: cannot create it ({error.strerror or error})") from None
    staging = Path(tempfile.mkdtemp(prefix=f".{values['project_slug']}-", dir=output_dir))
    published = False
    try:
        rendered = render(template, values, staging)
        record_generation(rendered, template, values)
        # After the baseline: the copy is the platform's file, not the template's, so `update`
        # refreshes it from the blueprint rather than merging it.
        write_blueprint_copy(rendered, blueprint)
        try:
            target.mkdir()  # claims the name: fails if anything appeared there meanwhile
        except FileExistsError:
            raise ProjectError(f"{target} appeared while the project was generated; nothing was written") from None
        rendered.rename(target)  # replaces our own empty directory, never someone else's files
        published = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not published and created is not None:
            shutil.rmtree(created, ignore_errors=True)
    return target


def _first_missing(directory: Path) -> Path | None:
    """The outermost directory `mkdir(parents=True)` would create for `directory`, if any."""
    missing = None
    for candidate in [directory, *directory.parents]:
        if candidate.exists() or candidate.is_symlink():
            break
        missing = candidate
    return missing


def output_dir_problems(output_dir: Path) -> list[str]:
    """What keeps `output_dir` from holding a new project: not a directory, a dangling link, too long."""
    from qantara.input_file import kind_of

    rule = "allowed: an existing directory, or a path where one can be created"
    long_parts = [part for part in output_dir.parts if len(os.fsencode(part)) > NAME_MAX]
    if long_parts or len(os.fsencode(str(output_dir.absolute()))) > PATH_MAX - NAME_MAX:
        return [f"--output-dir: the path is too long ({rule}, names of at most {NAME_MAX} bytes)"]
    try:
        for candidate in [output_dir, *output_dir.parents]:
            if candidate.is_symlink() and not candidate.exists():
                return [f"--output-dir {output_dir}: {candidate} is a symlink to nothing ({rule})"]
            if candidate.exists():
                kind = kind_of(candidate.stat().st_mode)
                if kind == "a directory":
                    return []
                what = "a regular file" if kind is None else kind
                return [f"--output-dir {output_dir}: {candidate} is {what}, not a directory ({rule})"]
    except OSError as error:
        return [f"--output-dir {output_dir}: cannot be used ({error.strerror or error}; {rule})"]
    return []


def _default(options: Mapping, name: str) -> str:
    value = options.get(name)
    return value[0] if isinstance(value, list) else str(value)


def _given_answers(answers: Mapping[str, object], environments: Iterable[str] | None, options: Mapping) -> dict:
    """`answers` (and `--env`) checked for what cookiecutter would get wrong silently."""
    given = dict(answers)
    if environments is not None:
        environments = list(environments)
        if "environments" in given:
            raise ProjectError("answer 'environments' is given twice (--env and --set environments=...); give one")
        if environments:
            given["environments"] = ",".join(environments)
    problems = []
    settable = [name for name in options if not name.startswith("_")]
    for name, value in given.items():
        if name.startswith("_") and name in options:
            problems.append(f"answer {name!r} is a platform fact `qantara new` reads from the blueprint; "
                            f"it cannot be set (settable: {', '.join(settable)})")
        elif name not in settable:
            problems.append(f"unknown answer {short_repr(name)} (allowed: {', '.join(settable)})")
        elif not isinstance(value, str):
            problems.append(f"answer {name!r} must be text, got {type(value).__name__}")
        else:
            problems += _answer_problems(name, value, options)
    if problems:
        raise ProjectError("\n".join(problems))
    return given


def _answer_problems(name: str, value: str, options: Mapping) -> list[str]:
    """What is wrong with one answer on its own: its text, or a choice the template does not offer."""
    text = _text_problems(name, value)
    choices = options.get(name)
    if not text and isinstance(choices, list) and value not in choices:
        return [f"answer {name!r}: {short_repr(value)} is not offered (allowed: {', '.join(choices)})"]
    return text


def _text_problems(name: str, value: str) -> list[str]:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # bytes the terminal's encoding could not decode (surrogates)
        return [f"answer {name!r}: {short_repr(value)} is not valid UTF-8 text (character {error.start + 1}); "
                f"allowed: one line of UTF-8 text"]
    # Answers are data (answers.py) and never rendered here, but `.cruft.json` records them and
    # cruft replays them through cookiecutter, which would: so template syntax stays refused.
    found = [s for s in TEMPLATE_SYNTAX if s in value]
    if found:
        return [f"answer {name!r}: {short_repr(value)} contains template syntax {found[0]!r}; answers are plain text "
                f"(allowed: anything without {', '.join(TEMPLATE_SYNTAX)})"]
    bad = FORBIDDEN_CHARACTERS.search(value)
    if bad:
        return [f"answer {name!r}: {short_repr(value)} contains {bad.group()!r}; double quotes, backslashes and control "
                f"characters (newlines and Unicode line separators included) would need escaping in the generated YAML, TOML and Python "
                f"(allowed: one line of text without them)"]
    return []


def _check_answers(values: Mapping[str, object], options: Mapping, platform, blueprint_path: Path,
                   output_dir: Path) -> None:
    """The complete answers, after prompting, checked against the template and the platform."""
    problems = []
    for name in options:
        if name.startswith("_") or name not in values:
            continue
        value = str(values[name])
        problems += _answer_problems(name, value, options)
        if name in TEXT_LIMITS and not value.strip():
            problems.append(f"answer {name!r} is empty (allowed: one line of text)")
        elif name in TEXT_LIMITS and len(value) > TEXT_LIMITS[name]:
            problems.append(f"answer {name!r} is {len(value)} characters long (allowed: at most {TEXT_LIMITS[name]})")
    if problems:  # the checks below read these answers
        raise ProjectError("\n".join(problems))

    problems += _slug_problems(str(values["project_slug"]), output_dir)
    problems += endpoint_owner_problems(str(values["project_slug"]), platform)
    problems += served_name_problems(str(values["project_slug"]), str(values["serving"]))
    problems += _environment_problems(str(values["environments"]), platform)
    problems += _classification_problems(str(values["data_classification"]), str(values["serving"]), platform)
    if "qantara_source" in values:
        from qantara.project.sources import qantara_source_problems

        problems += qantara_source_problems(str(values["qantara_source"]))
    problems += _blueprint_problems(str(values["blueprint"]), output_dir / str(values["project_slug"]),
                                    blueprint_path)
    if problems:
        raise ProjectError("\n".join(problems))


def endpoint_owner_problems(slug: str, platform) -> list[str]:
    """A model the blueprint serves is the platform's endpoint (and its monitoring): a project of
    that name would declare the same endpoint from a second stack (QA-PRJ-014 at check)."""
    model = slug.replace("_", "-")
    served = [m.name for m in platform.spec.components.serving.models]
    if model not in served:
        return []
    return [f"answer 'project_slug': model {model} is served by platform {platform.metadata.name} itself "
            f"(spec.components.serving.models); an endpoint has one owner, so a project may not declare it again "
            f"(allowed: a name other than {', '.join(served)}; or the platform team removes {model} from the "
            f"blueprint's serving.models and adds it to modelRegistry.groups, so that the project owns it)"]


def served_name_problems(slug: str, serving: str) -> list[str]:
    """A project serving in real time names its endpoint, monitoring and on-site model after its
    model, within the limit a blueprint's served model has (ServedModel.name)."""
    model = slug.replace("_", "-")
    if serving != "realtime" or len(model) <= SERVED_MODEL_MAX:
        return []
    return [f"answer 'project_slug': {short_repr(slug)} is {len(model)} characters long, and a project serving in "
            f"real time names its endpoint and monitoring after it (allowed: at most {SERVED_MODEL_MAX} characters "
            f"when serving is realtime, as for the blueprint's served models)"]


def _environment_problems(environments: str, platform) -> list[str]:
    declared = [e.name for e in platform.spec.environments]
    chosen = environments.split(",")
    unknown = [e for e in chosen if e not in declared]
    if unknown:
        what = f"{', '.join(short_repr(e) for e in unknown[:5])} is not an environment of platform {platform.metadata.name}"
    elif len(set(chosen)) != len(chosen):
        what = f"{short_repr(environments)} names an environment twice"
    else:
        return []
    return [f"answer 'environments': {what} (allowed: one or more of {', '.join(declared)}, comma-separated)"]


def _classification_problems(data_class: str, serving: str, platform) -> list[str]:
    from qantara.vocabulary import classifications

    limit, decided_by = classification_limit(platform, serving)
    allowed = classifications()[: classifications().index(limit) + 1]
    if data_class in allowed:
        return []
    return [f"answer 'data_classification': {short_repr(data_class)} is above what platform {platform.metadata.name} lets "
            f"this project hold ({decided_by} holds at most {limit!r}) (allowed: {', '.join(allowed)})"]


def _blueprint_problems(answer: str, project_dir: Path, blueprint_path: Path) -> list[str]:
    # Lexically: the project directory does not exist yet, so the OS cannot resolve its `..`.
    recorded = Path(os.path.normpath(project_dir.resolve() / answer))
    if recorded.is_file() and os.path.samefile(recorded, blueprint_path):
        return []
    return [f"answer 'blueprint': {short_repr(answer)} does not lead from {project_dir} to {blueprint_path} "
            f"(allowed: a path to the --blueprint file, relative to the project)"]


def _slug_problems(slug: str, output_dir: Path) -> list[str]:
    rule = (f"allowed: lowercase letters and digits in words joined by single underscores, starting with a letter, "
            f"at most {SLUG_MAX} characters, e.g. readmission_risk")
    if not SLUG.match(slug) or len(slug) > SLUG_MAX:
        return [f"answer 'project_slug': {short_repr(slug)} is not a valid Python package name ({rule})"]
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return [f"answer 'project_slug': {slug!r} is a Python keyword and cannot name a package ({rule})"]
    if slug in TAKEN_NAMES or slug in sys.stdlib_module_names:
        return [f"answer 'project_slug': {slug!r} would shadow the module of the same name that the project "
                f"or Python needs ({rule}, not the name of an installed module)"]
    target = (output_dir / slug).resolve()
    if target.parent != output_dir.resolve():
        return [f"answer 'project_slug': {slug!r} would place the project outside {output_dir} ({rule})"]
    return []
