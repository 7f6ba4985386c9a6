# QA-RES-007: every store of data at rest is encrypted, and, for data that needs it, with a
#             customer-managed KMS key, never an AWS-owned or AWS-managed (alias/aws/*) one.
# QA-RES-008: the Glue Data Catalog that holds the plan's tables is encrypted likewise.
#
# Which types store data, the property that turns encryption on, the one that names the key
# and AWS's default when they are omitted are rows of policies/data/aws_encryption_at_rest.yaml
# (data.catalog.aws_encryption_at_rest); what each data class needs is its classRequirements.
# Rows judged elsewhere say so (`judgedBy`): buckets are QA-RES-003's, ECR repositories have the
# rule below, the Glue catalog QA-RES-008's. A key a preview cannot read yet (the platform
# key's ARN before it exists) is not judged; a flag it cannot read is (fail closed).
package qantara.resources.service_encryption

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

stores := data.catalog.aws_encryption_at_rest

# The table's types that this rule judges, in a fixed order.
judged_types := sort([t | some t in object.keys(stores.types); not stores.types[t].judgedBy])

# Each judged type with its judgements, slimmed of sources and notes once: regopy copies a
# function's arguments on every call, and a row's sources cost more than its rule.
# [[type, [[judgement, block], ...]], ...]: block is "" for the row itself, else the block's row.
judgements := [[t, array.concat(own_judgement(row), [[slim(b, row), b] | some b in object.get(row, "blocks", [])])] |
	some t in judged_types
	row := stores.types[t]
]

own_judgement(row) := [[slim(row, row), ""]] if is_string(row.encryptionProperty)

else := []

slim(j, row) := object.union(
	object.remove(j, ["source", "why", "uncertain", "blocks", "keyJudgedOn", "acceptedWithoutCustomerKey", "judgedBy", "within", "each"]),
	{"keyElsewhere": key_elsewhere(row)},
)

key_elsewhere(row) := true if {
	row.keyJudgedOn
} else := true if {
	row.acceptedWithoutCustomerKey
} else := false

findings := array.concat(array.concat(key_findings, repository_findings), catalog_findings)

key_findings := [finding |
	some entry in judgements
	some at in plan.indexes_of({entry[0]})
	r := plan.resources[at]
	need := requirement(r)
	need != "none"
	some judged in entry[1]
	some subject in subjects(r.inputs, judged[1])
	j := judged[0]
	state := encryption_state(subject[0], j)
	not plainly_fine(subject[0], j, state, need)
	problem := judgement_problem(subject[0], j, subject[1], need, state)
	finding := {
		"policy": "QA-RES-007",
		"resource": r.urn,
		"message": sprintf("%s %s; %s", [plan.label(r), problem, advice(j, subject[1], need, plan.data_class(r))]),
	}
]

# The common cases that need no closer look, tested in one call (each function call costs in
# regopy): encrypted for data that needs only that, or every key a preview cannot read yet.
plainly_fine(_, _, "on", "encrypted") := true

plainly_fine(_, j, "default", "encrypted") if j.default != "unencrypted"

plainly_fine(o, j, "on", "customer-managed-key") if {
	not j.kmsValues
	j.keyProperty
	count([v | some path in key_paths(j); some v in key_values(o, path); not plan.is_unknown(v)]) == 0
}

# What the resource's data class needs: none, encrypted, or customer-managed-key (the
# default for a class the table does not name).
requirement(r) := object.get(stores.classRequirements, plan.data_class(r), "customer-managed-key")

# [object judged, path prefix for messages]: the inputs for the row itself (block ""), else
# the block's object when the resource sets it, or each element of the block's list.
subjects(inputs, "") := [[inputs, ""]]

subjects(inputs, block) := [[o, text.join("", [block.within, "."])]] if {
	is_string(block.within)
	o := object.get(inputs, split(block.within, "."), null)
	is_object(o)
}

subjects(inputs, block) := [[element, sprintf("%s[%d].", [block.each, k])] |
	elements := object.get(inputs, split(block.each, "."), [])
	is_array(elements)
	some k
	element := elements[k]
	is_object(element)
] if is_string(block.each)

# --- Is it encrypted? -------------------------------------------------------------------

# on, default (the property is omitted), unknown (a preview cannot read it), or off.
encryption_state(o, j) := "on" if {
	j.encryptionProperty == "always"
} else := "on" if {
	j.keyEnables == true
	some path in key_paths(j)
	some value in key_values(o, path)
	set_value(value)
} else := value_state(setting(o, j), j.enabledValues)

# The state a setting's value gives (read once: every function call costs in regopy).
value_state(null, _) := "default"

value_state(value, values) := "unknown" if {
	plan.is_unknown(value)
	values != "any"
} else := "on" if {
	enabled_value(value, values)
} else := "off" if {
	value != null
}

setting(o, j) := object.get(o, split(j.encryptionProperty, "."), null)

set_value(value) if {
	value != null
	value != ""
	value != false
}

enabled_value(value, "any") if set_value(value)

enabled_value(value, values) if {
	is_array(values)
	value in values
}

key_paths(j) := plan.as_list(j.keyProperty) if j.keyProperty

else := []

# A key path's values: one for a plain path; one per element for `list[].key`.
key_values(o, path) := [object.get(o, split(path, "."), null)] if {
	not contains(path, "[].")
} else := values if {
	parts := split(path, "[].")
	elements := object.get(o, split(parts[0], "."), [])
	values := [object.get(e, split(parts[1], "."), null) | some e in elements]
	count(values) > 0
} else := [null]

# --- What is wrong ----------------------------------------------------------------------

judgement_problem(o, j, prefix, _, state) := sprintf("is not encrypted at rest: %s%s is %v", [prefix, j.encryptionProperty, setting(o, j)]) if {
	state == "off"
}

judgement_problem(o, j, prefix, _, state) := sprintf("is not encrypted at rest: %s%s is not set, and AWS leaves it unencrypted by default", [prefix, j.encryptionProperty]) if {
	state == "default"
	j.default == "unencrypted"
}

judgement_problem(o, j, prefix, _, state) := sprintf("cannot be shown to be encrypted at rest: %s%s is not known before deployment", [prefix, j.encryptionProperty]) if {
	state == "unknown"
}

# Encrypted, but with a key AWS owns by the setting's own value (AES256, SSE-S3...).
judgement_problem(o, j, prefix, "customer-managed-key", state) := sprintf("is encrypted with %v at %s%s, under a key AWS owns, not a customer-managed KMS key", [setting(o, j), prefix, j.encryptionProperty]) if {
	state == "on"
	is_array(j.kmsValues)
	not setting(o, j) in j.kmsValues
}

judgement_problem(o, j, prefix, "customer-managed-key", state) := problem if {
	some path in key_paths(j)
	some value in key_values(o, path)
	# The common offline case (the platform key's ARN is not known yet) needs no sentence.
	not plan.is_unknown(value)
	customer_key_applies(o, j, state)
	problem := key_sentence(value, j, prefix, path)
}

# A type that takes no key at all, for data that needs one.
judgement_problem(o, j, _, "customer-managed-key", state) := "cannot be encrypted with a customer-managed key (the type takes none)" if {
	not j.keyProperty
	customer_key_applies(o, j, state)
	j.keyElsewhere == false
}

# What is wrong with a key value; a value a preview cannot read is not judged.
key_sentence(value, j, prefix, path) := sprintf("names no key at %s%s (%s), so AWS, not the platform, controls who can decrypt it", [prefix, path, default_words(j)]) if {
	key_problem_of(value, j) == "names no key"
} else := sprintf("%s at %s%s, so AWS, not the platform, controls who can decrypt it", [key_problem_of(value, j), prefix, path]) if {
	key_problem_of(value, j)
}

# Encrypted (explicitly or by AWS's default) with a KMS key whose choice is the key property's.
customer_key_applies(_, j, "on") if {
	not j.kmsValues
}

customer_key_applies(o, j, "on") if {
	setting(o, j) in j.kmsValues
}

customer_key_applies(_, j, "default") if {
	j.default in {"aws-owned-key", "aws-managed-key"}
}

key_problem_of(value, j) := sprintf("names AWS's own key %s", [value]) if {
	value in object.get(j, "awsKeyValues", [])
} else := key_problem(value)

default_words(j) := "AWS then uses a key it owns" if j.default == "aws-owned-key"

else := "AWS then uses its AWS-managed key" if j.default == "aws-managed-key"

else := "AWS then applies the destination's default encryption" if j.default == "inherits"

else := "AWS then uses its default key"

advice(j, prefix, "encrypted", class) := sprintf("%s data must be encrypted at rest: set %s%s (%s)", [class, prefix, j.encryptionProperty, enabled_words(j)]) if {
	is_string(j.encryptionProperty)
	j.encryptionProperty != "always"
} else := sprintf("%s data must be encrypted at rest", [class]) if {
	true
}

advice(j, prefix, "customer-managed-key", class) := sprintf("%s data must be encrypted with a customer-managed KMS key of the platform: set %s%s (%s) and name the key at %s%s", [class, prefix, j.encryptionProperty, key_words(j), prefix, plan.as_list(j.keyProperty)[0]]) if {
	j.keyProperty
	j.encryptionProperty != "always"
	j.encryptionProperty != plan.as_list(j.keyProperty)[0]
	not j.keyEnables
} else := sprintf("%s data must be encrypted with a customer-managed KMS key of the platform: name it at %s%s", [class, prefix, plan.as_list(j.keyProperty)[0]]) if {
	j.keyProperty
} else := sprintf("%s data needs a customer-managed KMS key, which this type cannot use: keep the data elsewhere or record a waiver", [class]) if {
	true
}

enabled_words(j) := "any key" if j.enabledValues == "any"

else := values_words(j.enabledValues)

# The values that encrypt with a KMS key, when only some do.
key_words(j) := values_words(j.kmsValues) if is_array(j.kmsValues)

else := enabled_words(j)

values_words(values) := sprintf("%v", [values[0]]) if count(values) == 1

else := sprintf("one of %v", [values])

key_problem(value) := "names no key" if {
	not is_string(value)
} else := "names no key" if {
	value == ""
} else := sprintf("uses the AWS-managed key %s", [value]) if {
	plan.aws_managed_key(value)
}

repository_types := {"aws:ecr/repository:Repository", "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"}

repository_findings := [finding |
	some at in plan.indexes_of(repository_types)
	r := plan.resources[at]
	problem := repository_problem(r)
	finding := {
		"policy": "QA-RES-007",
		"resource": r.urn,
		"message": sprintf("%s %s; set encryption_configurations to KMS with a customer-managed key of the platform", [plan.label(r), problem]),
	}
]

repository_problem(r) := "is encrypted with AES256 (ECR's default, no customer-managed key)" if {
	not r.inputs.encryptionConfigurations
} else := sprintf("is encrypted with %s, not a customer-managed KMS key", [text.plain(config.encryptionType)]) if {
	some config in r.inputs.encryptionConfigurations
	not plan.is_unknown(config.encryptionType)
	not config.encryptionType in {"KMS", "KMS_DSSE"}
} else := sprintf("is encrypted with the AWS-managed key (%s)", [text.plain(object.get(config, "kmsKey", "aws/ecr"))]) if {
	some config in r.inputs.encryptionConfigurations
	key_problem(object.get(config, "kmsKey", null))
}

# --- QA-RES-008 -------------------------------------------------------------------------

catalog_types := {"aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable"}

settings := plan.resources_of({"aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"})

catalog_findings := array.concat(setting_findings, unencrypted_catalog_findings)

setting_findings := [finding |
	some s in settings
	problem := catalog_problem(s)
	finding := {
		"policy": "QA-RES-008",
		"resource": s.urn,
		"message": sprintf("%s %s; set encryption_at_rest to SSE-KMS with a customer-managed key of the platform", [plan.label(s), problem]),
	}
]

# Catalog resources in a region whose Data Catalog this plan does not encrypt at all.
unencrypted_catalog_findings := [finding |
	some at in plan.indexes_of(catalog_types)
	r := plan.resources[at]
	not encrypted_region(r.location)
	finding := {
		"policy": "QA-RES-008",
		"resource": r.urn,
		"message": sprintf("%s is in a Glue Data Catalog that this plan does not encrypt with a customer-managed key; add an aws.glue.DataCatalogEncryptionSettings (SSE-KMS, the platform key) in its region", [plan.label(r)]),
	}
]

encrypted_region(location) if {
	some s in settings
	not catalog_problem(s)
	same_catalog_region(s.location, location)
}

same_catalog_region(a, b) if a.region == b.region

same_catalog_region(a, _) if plan.is_unknown(a.region)

same_catalog_region(_, b) if plan.is_unknown(b.region)

at_rest(s) := object.get(s.inputs, ["dataCatalogEncryptionSettings", "encryptionAtRest"], {})

catalog_problem(s) := sprintf("leaves the catalog unencrypted (catalogEncryptionMode %s)", [text.plain(mode)]) if {
	mode := object.get(at_rest(s), "catalogEncryptionMode", "DISABLED")
	not plan.is_unknown(mode)
	not mode in {"SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"}
} else := sprintf("%s at sseAwsKmsKeyId (AWS then uses its aws/glue key)", [problem]) if {
	problem := key_problem(object.get(at_rest(s), "sseAwsKmsKeyId", null))
}
