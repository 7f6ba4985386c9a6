"""Remove the files the answers did not choose. The rule is Qantara's, tested there."""

from pathlib import Path

from qantara.project.generate import prune_unselected

prune_unselected(
    Path.cwd(),
    slug="{{ cookiecutter.project_slug }}",
    serving="{{ cookiecutter.serving }}",
    ci="{{ cookiecutter.ci }}",
)
