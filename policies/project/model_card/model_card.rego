# QA-PRJ-001: the project's model card exists and has every field a complete card has.
#
# The required fields are data (catalog model_card.yaml) that the project template's
# renderer reads too. A card whose metrics are empty describes a model never trained.
package qantara.project.model_card

import rego.v1

import data.qantara.lib.text

required := data.catalog.model_card.required

findings := [finding |
	is_object(input.project)
	message := problem(input.project.modelCard)
	finding := {"policy": "QA-PRJ-001", "resource": "spec.modelCard", "message": message}
]

# A field is present when it is neither null, nor blank text, nor an empty list or mapping.
present(value) if is_number(value)

present(value) if is_boolean(value)

present(value) if {
	is_string(value)
	trim_space(value) != ""
}

present(value) if {
	is_array(value)
	count(value) > 0
}

present(value) if {
	is_object(value)
	count(value) > 0
}

missing(card) := [path | some path in required; not present(object.get(card, split(path, "."), null))]

# regopy 1.5 needs a body on the first clause of a function with else.
problem(card) := sprintf("no model card at %s: the project's model is undocumented (the template writes one; keep it beside qantara.yaml)", [input.project.modelCardPath]) if {
	not is_object(card)
} else := sprintf("model card %s lacks %s%s", [input.project.modelCardPath, text.join(", ", gaps), untrained(gaps)]) if {
	gaps := missing(card)
	count(gaps) > 0
}

untrained(gaps) := " (its metrics are empty: the model was never trained, or its run did not write them)" if {
	"metrics" in gaps
} else := ""
