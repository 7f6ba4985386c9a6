# QA-RES-028: every taggable AWS resource carries the required tags (its own tags plus its
#             provider's default tags), and data-classification names a class.
#
# Which types take tags comes from aws_taggable_types.json, generated from pulumi_aws (every
# resource class whose `tags` is a map: the types the provider's defaultTags reach). It is
# consulted once per distinct type of the plan, not once per resource, so its size (about
# 900 types, 40 kB; +30 ms to load) does not weigh on large plans.
package qantara.resources.tagging

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

required := [t.name | some t in data.catalog.required_tags.tags]

required_text := text.join(", ", required)

classes := data.catalog.jurisdictions.classifications

taggable_types := [t |
	some t in object.keys(plan.indexes_by_type)
	t in data.catalog.aws_taggable_types.types
]

# Default tags by provider URN; a provider whose default tags cannot be read is left out,
# and its resources are not judged.
provider_tags := {p.urn: tags |
	some at in plan.indexes_of({"pulumi:providers:aws"})
	p := plan.resources[at]
	tags := plan.provider_default_tags(p)
}

findings := [finding |
	some at in plan.indexes_of(taggable_types)
	r := plan.resources[at]
	# One cheap test per resource (built-ins only), the details only for the flawed ones.
	# Own tags that pass need no provider's: the provider's defaults only add keys.
	not well_tagged(own_tags(r))
	tags := effective_tags(r)
	not well_tagged(tags)
	absent := [name |
		some name in required
		value := object.get(tags, name, "")
		not non_blank(value)
	]
	problems := array.concat(
		[sprintf("lacks %s", [text.join(", ", absent)]) | count(absent) > 0],
		[sprintf("names the unknown class %s in data-classification (allowed: %s)", [text.plain(class), text.join(", ", classes)]) |
			class := tags["data-classification"]
			not class in known_classes
		],
	)
	count(problems) > 0
	finding := {
		"policy": "QA-RES-028",
		"resource": r.urn,
		"message": sprintf("%s %s; every taggable AWS resource carries %s (its own tags or its provider's default_tags)", [plan.label(r), text.join("; it ", problems), required_text]),
	}
]

# A class of the catalog, or a value a preview cannot read yet.
known_classes := array.concat(classes, ["[unknown]"])

well_tagged(tags) if {
	count([v | some v in object.filter(tags, required); is_string(v); trim_space(v) != ""]) == count(required)
	object.get(tags, "data-classification", "[unknown]") in known_classes
}

non_blank(value) if {
	is_string(value)
	trim_space(value) != ""
}

# Undefined when the resource's own tags, or its provider's default tags, are not known.
effective_tags(r) := object.union(provider_defaults(r), own_tags(r))

own_tags(r) := r.inputs.tags if is_object(r.inputs.tags)

else := {} if not r.inputs.tags

# No provider reference: the stack's default provider, whose configuration the plan does not show.
provider_defaults(r) := {} if r.provider == ""

else := provider_tags[r.provider]

