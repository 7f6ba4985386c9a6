"""What a platform allows for each question of `qantara new`, asked while the person types.

The same checks `generate.py` runs on the complete answers, applied to one answer at a time
with the answers given so far, so that a refused answer is asked again at once instead of
failing after the last question; and the choices a question offers are only those the
blueprint allows (data classes the platform's components can hold, serving modes that can
hold the chosen class and whose workloads have a place beside the data lake). The final check
in `generate.py` still runs: this only asks better.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from qantara.project import generate


class PlatformRules:
    """`answers.AnswerRules` for one platform, blueprint file and output directory."""

    def __init__(self, platform, options: Mapping, blueprint_path: Path, output_dir: Path, placement=None):
        self.platform, self.options, self.placement = platform, options, placement
        self.blueprint_path, self.output_dir = blueprint_path, output_dir

    def choices(self, name: str, offered: list[str], values: Mapping[str, object]) -> list[str]:
        if name == "data_classification":
            allowed = self.classes_allowed(str(values.get("serving", "none")))
            return [choice for choice in offered if choice in allowed]
        if name == "serving":
            data_class = values.get("data_classification")
            return [mode for mode in offered if not self._place_problems(mode) and (
                data_class is None or not generate._classification_problems(str(data_class), mode, self.platform))]
        return offered

    def _place_problems(self, serving: str) -> list[str]:
        """Why the project's workloads would have no place with `serving` (`pipeline_place`)."""
        from qantara.project.pipeline_place import pipeline_place

        if self.placement is None:
            return []
        place = pipeline_place(self.placement, serving)
        return [] if place.where is not None else [f"answer 'serving': {place.problem}"]

    def classes_allowed(self, serving: str) -> list[str]:
        """The classes a project may declare with `serving` ("none" passes through the fewest components)."""
        from qantara.blueprint.models import CLASSIFICATION_ORDER

        limit, _ = generate.classification_limit(self.platform, serving)
        return list(CLASSIFICATION_ORDER[: CLASSIFICATION_ORDER.index(limit) + 1])

    def hint(self, name: str, values: Mapping[str, object]) -> str | None:
        if name == "environments":
            declared = ", ".join(e.name for e in self.platform.spec.environments)
            return f"one or more of {declared}, comma-separated"
        if name in generate.TEXT_LIMITS:
            return f"at most {generate.TEXT_LIMITS[name]} characters"
        return None

    def problems(self, name: str, value: str, values: Mapping[str, object]) -> list[str]:
        found = generate._answer_problems(name, value, self.options)
        if found:
            return found
        if name in generate.TEXT_LIMITS:
            if not value.strip():
                return [f"answer {name!r} is empty (allowed: one line of text)"]
            if len(value) > generate.TEXT_LIMITS[name]:
                return [f"answer {name!r} is {len(value)} characters long "
                        f"(allowed: at most {generate.TEXT_LIMITS[name]})"]
        return self._platform_problems(name, value, values)

    def _platform_problems(self, name: str, value: str, values: Mapping[str, object]) -> list[str]:
        if name == "project_slug":
            return generate._slug_problems(value, self.output_dir) or generate.endpoint_owner_problems(
                value, self.platform)
        if name == "environments":
            return generate._environment_problems(",".join(e.strip() for e in value.split(",")), self.platform)
        if name == "data_classification":
            return generate._classification_problems(value, str(values.get("serving", "none")), self.platform)
        if name == "serving" and self._place_problems(value):
            return self._place_problems(value)
        if name == "serving" and "project_slug" in values and generate.served_name_problems(
                str(values["project_slug"]), value):
            return generate.served_name_problems(str(values["project_slug"]), value)
        if name == "serving" and "data_classification" in values:
            return generate._classification_problems(str(values["data_classification"]), value, self.platform)
        if name == "qantara_source":
            from qantara.project.sources import qantara_source_problems

            return qantara_source_problems(value)
        if name == "blueprint" and "project_slug" in values:
            return generate._blueprint_problems(value, self.output_dir / str(values["project_slug"]),
                                                self.blueprint_path)
        return []
