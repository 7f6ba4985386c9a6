"""The generated project's path from `new` to production: every `make` target its README names
exists, and its CI deploys to production only through the approval gate and a person."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from ml_project_cases import AE_HEALTH, REPO, SA_HYBRID

SA_ONPREM = REPO / "blueprints" / "sa-government-onprem.yaml"

# A command is code: a line of a fenced block, or an inline `code span`.
FENCED = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
TARGET = re.compile(r"^([a-z][a-z-]*):", re.MULTILINE)

CASES = [pytest.param(AE_HEALTH, {"ci": "github"}, id="cloud-github"),
         pytest.param(AE_HEALTH, {"ci": "gitlab", "serving": "batch"}, id="cloud-gitlab"),
         pytest.param(SA_HYBRID, {"ci": "none", "serving": "none"}, id="hybrid-no-ci"),
         pytest.param(SA_ONPREM, {"ci": "gitlab"}, id="onprem-gitlab")]


def named_targets(readme: str) -> set[str]:
    """Every target of every `make` command the README shows (not its VAR=value arguments)."""
    # A line ending in a backslash continues on the next, as the shell reads it.
    commands = [line for block in FENCED.findall(readme) for line in block.replace("\\\n", " ").splitlines()]
    commands += INLINE.findall(FENCED.sub("", readme))
    names = set()
    for command in commands:
        # <placeholders> the reader fills in are one word; quotes group as the shell groups them.
        words = shlex.split(re.sub(r"<[^>]*>", "PLACEHOLDER", command), comments=True)
        # Each command of a list (`make image && docker push ...`) on its own.
        command_words: list[str] = []
        for word in [*words, "&&"]:
            if word not in ("&&", "||", ";", "|"):
                command_words.append(word)
                continue
            if command_words[:1] == ["make"]:
                names.update(w for w in command_words[1:] if "=" not in w)
            command_words = []
    return names


@pytest.mark.parametrize(("blueprint", "answers"), CASES)
def test_every_make_target_the_readme_names_exists(bake, blueprint, answers):
    project = bake(blueprint=blueprint, **answers)
    readme = (project / "README.md").read_text()
    targets = set(TARGET.findall((project / "Makefile").read_text()))
    for section in ("pipeline", "platform-pipeline", "lineage", "promote", "deploy", "check"):
        assert f"make {section}" in readme
    assert named_targets(readme) - targets == set()


def test_the_readme_check_itself_finds_a_missing_target():
    readme = "run `make setup test` then\n```sh\nmake retrain WHY=x   # and make nothing\n```\nas make prints it"
    assert named_targets(readme) == {"setup", "test", "retrain"}


def test_cloud_and_onprem_readmes_point_at_their_own_pipeline_engine(bake):
    cloud = bake(blueprint=AE_HEALTH, ci="github")
    assert "aws sagemaker start-pipeline-execution" in (cloud / "Makefile").read_text()
    assert "SageMaker Pipeline" in (cloud / "README.md").read_text()
    onprem = bake(blueprint=SA_ONPREM, ci="gitlab")
    assert "argo submit" in (onprem / "Makefile").read_text()
    assert "aws sagemaker" not in (onprem / "Makefile").read_text()
    assert "Argo Workflows `WorkflowTemplate`" in (onprem / "README.md").read_text()


def test_github_deploy_is_gated_by_a_protected_environment_and_the_approval_check(bake):
    project = bake(blueprint=AE_HEALTH, ci="github")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    deploy = workflow["jobs"]["deploy"]
    # After the tests and checks, and after the image job pushed the code image the pipeline runs.
    assert deploy["environment"] == "production" and deploy["needs"] == ["test-and-check", "image"]
    assert "refs/heads/main" in deploy["if"]
    runs = [step.get("run", "") for step in deploy["steps"]]
    assert any(run.startswith("make deploy") for run in runs)
    makefile = (project / "Makefile").read_text()
    recipe = makefile.split("\ndeploy: setup-infra\n", 1)[1].split("\n\n", 1)[0]
    check, up = recipe.index("qantara check --project . --env $(DEPLOY_ENV)"), recipe.index("pulumi up")
    assert check < up  # the approval gate before any change
    assert "DEPLOY_ENV ?= prod" in makefile
    assert "required reviewers" in (project / "README.md").read_text()


def test_gitlab_deploy_is_manual_protected_and_checks_before_pulumi(bake):
    project = bake(blueprint=AE_HEALTH, ci="gitlab", serving="batch")
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    deploy = pipeline["deploy-prod"]
    assert deploy["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "manual"}]
    assert deploy["allow_failure"] is False
    assert deploy["environment"] == {"name": "prod", "deployment_tier": "production"}
    script = deploy["script"]
    assert script.index("qantara check --project . --env prod") < next(
        i for i, line in enumerate(script) if "pulumi up" in line)
