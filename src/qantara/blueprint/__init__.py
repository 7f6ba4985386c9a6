"""Blueprints: the YAML file describing a sovereign MLOps platform, and its one loader."""

from qantara.blueprint.loader import LoadedBlueprint, load_blueprint
from qantara.blueprint.models import CLASSIFICATION_ORDER, Blueprint
from qantara.blueprint.schema import blueprint_json_schema

__all__ = ["CLASSIFICATION_ORDER", "Blueprint", "LoadedBlueprint", "blueprint_json_schema", "load_blueprint"]
