"""What every Qantara component shares: the data class it holds, visible to every engine."""

from __future__ import annotations

from typing import Any

import pulumi

DATA_CLASSIFICATION = "dataClassification"


class QantaraComponent(pulumi.ComponentResource):
    """A component whose props carry `dataClassification`, repeated in its outputs.

    Offline plans and previews see a component's inputs; a stack's state and the policy
    pack see its registered outputs. Both carry the class, so every engine derives the same
    class for the component's children.
    """

    def __init__(self, t: str, name: str, props: dict[str, Any] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(t, name, props, opts)
        self._data_classification = (props or {}).get(DATA_CLASSIFICATION)

    def register_outputs(self, outputs: dict[str, Any]) -> None:
        if self._data_classification is not None:
            outputs = {**outputs, DATA_CLASSIFICATION: self._data_classification}
        super().register_outputs(outputs)
