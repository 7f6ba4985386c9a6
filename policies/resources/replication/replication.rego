# Every way data leaves, as one rule over a table (policies/data/aws_data_movement.yaml):
# QA-RES-030: data sent, copied or replicated to a place its class may not be
#             (S3 and DynamoDB replicas, backup copies, read replicas, Firehose, CloudFront...).
# QA-RES-031: replica keys, which decrypt what their primary key protects, likewise.
# QA-RES-040: data sent to a destination that cannot be located (a bucket outside the plan,
#             an AWS host without a region, a document that does not parse, a secret).
# QA-RES-041: data sent to a host outside AWS that the blueprint does not declare.
#
# For each resource of a type the table lists: the class that moves is its source's (what the
# table's source properties refer to), never the label of the resource that moves it; each
# destination property is read by its `via` (qantara.lib.destinations), and each place is
# judged by qantara.lib.residency, the rule QA-RES-001 and placement use.
#
# Linear on regopy 1.5 (see plan.rego): resources are held by position; references to the
# plan's resources (by dependency or by name) are joined with plan.links, two sorts.
package qantara.resources.replication

import rego.v1

import data.qantara.lib.destinations
import data.qantara.lib.plan
import data.qantara.lib.residency
import data.qantara.lib.text

movement_table := data.catalog.aws_data_movement

classifications := data.catalog.jurisdictions.classifications

findings := [finding | some finding in distinct_findings]

# A set: a place named twice (by dependency and by ARN) is one finding. (Distinct names: regorus
# refuses a comprehension variable that shadows the enclosing one.)
distinct_findings := {f | some f in array.concat(located_findings, named_findings)}

# Positions of the resources that move data.
movers := plan.indexes_of(object.keys(movement_table.types))

# --- Reading a property path ---------------------------------------------------------------

# The values at a table path ("*" is any list element); [] when the property is absent.
values_at_path(inputs, path) := [v | v := inputs[path[0]]; v != null] if count(path) == 1

values_at_path(inputs, path) := [v |
	top := inputs[path[0]]
	rest := array.slice(path, 1, count(path))
	walk(top, [at, v])
	count(at) == count(rest)
	count([i | some i; segment := rest[i]; not segment_matches(segment, at[i])]) == 0
] if count(path) > 1

segment_matches(segment, key) if segment == key

segment_matches("*", key) if is_number(key)

path_text(path) := text.plain(replace(concat(".", path), ".*", "[]"))

known_value(v) if {
	is_string(v)
	not plan.is_unknown(v)
	not plan.is_secret(v)
}

# --- Sources: whose class moves ------------------------------------------------------------

# The keys by which the source properties name the plan's resources: dependencies, and the
# names and ARNs they hold.
source_keys(r, row) := [] if row.source == "self"

else := array.concat(
	[urn | some path in row.source.paths; some urn in object.get(r, ["propertyDependencies", path[0]], [])],
	[key | some path in row.source.paths; some v in values_at_path(r.inputs, path); known_value(v); some key in name_keys(v)],
)

# An ARN names a resource by its last part too (arn:aws:rds:...:db:patients -> patients).
name_keys(v) := [v, name] if {
	startswith(v, "arn:")
	parts := regex.split(`[:/]`, v)
	name := parts[count(parts) - 1]
	name != ""
} else := [v]

# Data moves only when a source is set (a DB instance without replicateSourceDb copies nothing).
source_is_set(r, row) if row.source == "self"

source_is_set(r, row) if object.get(row, "sourceAbsent", "") == "self"

source_is_set(r, row) if {
	some path in row.source.paths
	object.get(r.inputs, path[0], null) != null
}

# Every resource a property may refer to, with the keys that name it.
holder_rows := [[format_int(j, 10), holder_keys(plan.resources[j])] | some j in plan.indexes_of(movement_table.holders)]

holder_keys(r) := [key |
	some key in array.concat([r.urn], [object.get(r.inputs, name, null) | some name in ["bucket", "name", "identifier", "clusterIdentifier", "globalClusterIdentifier", "replicationGroupId"]])
	known_value(key)
]

# [[mover ordinal, [holder id, ...]], ...] ordered by ordinal: every mover is a subject once.
source_links := ordered if {
	subjects := [[k, source_keys(plan.resources[at], movement_table.types[plan.resources[at].type])] | some k; at := movers[k]]
	count([1 | some s in subjects; count(s[1]) > 0]) > 0
	found := plan.links(subjects, holder_rows)
	lines := sort([sprintf("%09d %d", [entry[0], i]) | some i; entry := found[i]])
	ordered := [found[to_number(split(line, " ")[1])] | some line in lines]
} else := [[k, []] | some k; movers[k]]

# The class each mover sends, by ordinal.
source_classes := [class |
	some k
	at := movers[k]
	r := plan.resources[at]
	# Bound out here: regopy 1.5 ignores a variable from outside a comprehension that indexes
	# a collection inside it (`some id in source_links[k][1]` ranged over every mover's
	# sources, so each mover sent the highest class of all of them).
	holders := source_links[k][1]
	class := sent_class(r, movement_table.types[r.type], [plan.data_class(plan.resources[to_number(id)]) | some id in holders])
]

sent_class(r, row, found) := plan.data_class(r) if row.source == "self"

else := highest_class(found) if count(found) > 0

# It names a source the plan does not hold: its class cannot be shown lower than the highest.
else := plan.blueprint_class if count(source_keys(r, row)) > 0

else := plan.data_class(r)

highest_class(classes) := classifications[max([i | some c in classes; classifications[i] == c])]

# --- Destinations ---------------------------------------------------------------------------

# Every place each mover sends to: {"k": ordinal, "at": position, "path": text, "spot": spot}
# where a spot is a destinations spot (located, or a name only the plan can locate).
mover_spots := array.concat(array.concat(
	[{"k": k, "at": at, "path": path_text(object.get(d, "path", [])), "spot": s} |
		some k
		at := movers[k]
		r := plan.resources[at]
		row := movement_table.types[r.type]
		source_is_set(r, row)
		some d in row.destinations
		some s in destination_spots(r, d)
	],
	# What a property refers to by dependency is located where the plan located it; a
	# dependency belongs to a top-level property, however many paths the table reads in it.
	# A top-level property kept secret (pulumi-aws marks Glue's connectionProperties so)
	# cannot be read, so where it sends data cannot be shown.
	[{"k": k, "at": at, "path": property, "spot": s} |
		some k
		at := movers[k]
		r := plan.resources[at]
		row := movement_table.types[r.type]
		source_is_set(r, row)
		some property in {d.path[0] | some d in row.destinations; not d.via in {"self", "global"}}
		some s in property_spots(r, property)
	]),
	# A destination a preview cannot read ([unknown]: a stack reference's output, a value
	# computed from something outside the plan) whose property depends on no resource of the
	# plan that could locate it goes where nothing shows: it cannot be shown to stay (fail
	# closed). With such a dependency, the dependency locates it (above).
	[{"k": k, "at": at, "path": property, "spot": destinations.unknown_spot(
		sprintf("%s is not known before deployment and refers to no resource of this plan that places it", [property]),
		"a destination computed outside the plan",
	)} |
		some k
		at := movers[k]
		r := plan.resources[at]
		row := movement_table.types[r.type]
		source_is_set(r, row)
		some property in {d.path[0] | some d in row.destinations; not d.via in {"self", "global"}}
		unread_destination(r, row, property)
		not located_by_dependency(r, property)
	],
)

unread_destination(r, row, property) if {
	some d in row.destinations
	d.path[0] == property
	some v in values_at_path(r.inputs, d.path)
	plan.is_unknown(v)
}

# A dependency on any resource of the plan locates the destination: a data holder is judged by
# where it is (named_findings); any other resource (a state machine an EventTarget starts, a
# function it invokes) is placed by the plan like every resource, and its own movement is judged
# as a mover. Holders alone would fail the platform's own targets, which are no data holders. A
# resource the plan does not place (a StackReference: another stack's outputs) locates nothing.
plan_urns := {r.urn | some r in plan.resources; r.location.kind in {"cloud", "onprem"}}

located_by_dependency(r, property) if {
	some urn in object.get(r, ["propertyDependencies", property], [])
	urn in plan_urns
}

property_spots(r, property) := [destinations.unknown_spot(
	sprintf("%s is secret, so where it sends data cannot be read", [property]),
	"a secret value",
)] if {
	plan.is_secret(object.get(r.inputs, property, null))
} else := [object.union(destinations.name_spot(urn, "a resource it refers to"), {"dependency": true}) |
	some urn in object.get(r, ["propertyDependencies", property], [])
]

destination_spots(r, d) := [self_spot(r)] if {
	d.via == "self"
	r.location.kind in {"cloud", "onprem"}
}

destination_spots(_, d) := [destinations.spot({"kind": "global"}, null, "edge locations in many countries")] if d.via == "global"

destination_spots(r, d) := value_spots(r, d) if not d.via in {"self", "global"}

self_spot(r) := destinations.spot(r.location, null, "its own region")

# AWS's default when the property is omitted: the resource's own region.
value_spots(r, d) := [self_spot(r)] if {
	object.get(d, "absent", "") == "self"
	count(values_at_path(r.inputs, d.path)) == 0
	r.location.kind in {"cloud", "onprem"}
} else := [s |
	some v in values_at_path(r.inputs, d.path)
	some found in value_spots_of(d.via, v)
	s := placed_spot(r, found)
]

# A call a fact table places where the resource itself runs (a Step Functions integration).
placed_spot(r, found) := object.union(self_spot(r), {"where": found.where}) if {
	found.at_resource
	r.location.kind in {"cloud", "onprem"}
} else := destinations.unknown_spot("the resource that makes the call is not located", found.where) if {
	found.at_resource
} else := found

# A value a preview cannot read locates nothing (its dependencies do); a secret cannot be read.
value_spots_of(via, v) := destinations.string_spots(via, v) if known_value(v)

else := [destinations.unknown_spot("the value is secret, so where it sends data cannot be read", "a secret value")] if plan.is_secret(v)

else := []

located_spots := [m | some m in mover_spots; m.spot.location]

named_spots := [m | some m in mover_spots; m.spot.name]

# [[named spot index, [holder id, ...]], ...]
name_links := plan.links([[c, [named_spots[c].spot.name]] | some c; named_spots[c]], holder_rows) if count(named_spots) > 0

else := []

# --- Findings ---------------------------------------------------------------------------------

located_findings := [f |
	some m in located_spots
	f := movement_finding(m, m.spot.location, m.spot.policy, m.spot.where)
]

named_findings := array.concat(
	# One finding per mover, holder and top-level property: the same holder is often found
	# both by name (a known ARN) and by dependency.
	[f |
		some denial in {[m.at, m.k, id, top_property(m.path)] |
			some entry in name_links
			m := named_spots[entry[0]]
			some id in entry[1]
			holder := plan.resources[to_number(id)]
			holder.location.kind in {"cloud", "onprem"}
			not movement_verdict(source_classes[m.k], holder.location).allowed
		}
		holder := plan.resources[to_number(denial[2])]
		f := movement_finding({"at": denial[0], "k": denial[1], "path": denial[3]}, holder.location, null, plan.label(holder))
	],
	[f |
		some entry in name_links
		count(entry[1]) == 0
		m := named_spots[entry[0]]
		not m.spot.dependency
		reason := sprintf("no resource of this plan is named %s, and a bucket's name or S3 ARN holds no region", [text.plain(m.spot.name)])
		f := movement_finding(m, {"kind": "unknown", "reason": reason}, "QA-RES-040", m.spot.where)
	],
)

top_property(path) := text.plain(split(split(path, ".")[0], "[")[0])

movement_finding(m, loc, policy_id, shown) := {
	"policy": chosen_policy(policy_id, object.get(movement_table.types[mover.type], "policy", "QA-RES-030")),
	"resource": mover.urn,
	# Every part through text.plain: regopy 1.5 mis-serialises some strings inside sprintf.
	"message": sprintf("%s sends %s data %s to %s (%s): %s [%s]", [text.plain(part) | some part in [
		plan.label(mover), class, through(m.path), shown, place_text(loc), verdict.reason, verdict.because,
	]]),
} if {
	mover := plan.resources[m.at]
	class := source_classes[m.k]
	verdict := movement_verdict(class, loc)
	not verdict.allowed
}

through(path) := sprintf("through %s", [path]) if path != ""

else := "(a copy of its source)"

# A spot's own policy (unlocatable, outside AWS), else the row's (QA-RES-031 for keys).
chosen_policy(policy_id, row_policy) := policy_id if is_string(policy_id)

else := row_policy if true

place_text(loc) := loc.region if loc.kind == "cloud"

else := sprintf("on-prem site %s", [loc.site]) if loc.kind == "onprem"

else := sprintf("%s, declared in %s", [loc.host, loc.country]) if loc.kind == "external"

else := "everywhere" if loc.kind == "global"

else := "cannot be located"

# The residency verdict for a class sent to a place, each pair judged once. A verdict costs
# several milliseconds on regopy 1.5 (the class's requirement is worked out from the
# jurisdiction's rules on every call, and regopy remembers no function's answers), while the
# movers of a platform send few classes to few places (eu-insurance-cloud: 35 judgements, 3
# pairs; half of a check's findings time). A pair not gathered below is judged on the spot:
# the answer is place_verdict's either way.
movement_verdict(class, loc) := judged[1] if {
	some judged in judged_pairs
	judged[0] == [class, loc]
} else := place_verdict(class, loc)

# [[[class, place], verdict], ...]: every pair the findings below judge, once each (few).
judged_pairs := [[pair, place_verdict(pair[0], pair[1])] | some pair in distinct_pairs]

distinct_pairs := {pair | some pair in array.concat(located_pairs, named_pairs)}

located_pairs := [[source_classes[m.k], m.spot.location] | some m in located_spots]

named_pairs := [[source_classes[named_spots[entry[0]].k], holder.location] |
	some entry in name_links
	some id in entry[1]
	holder := plan.resources[to_number(id)]
	holder.location.kind in {"cloud", "onprem"}
]

# A place that cannot be located, or is everywhere, is allowed only for data no rule
# restricts (qantara.lib.residency refuses unknown locations itself once it knows them; until
# then this says so).
place_verdict(class, loc) := residency.verdict(plan.context, class, loc) if loc.kind in {"cloud", "onprem", "external"}

else := v if {
	loc.kind == "unknown"
	v := residency.verdict(plan.context, class, loc)
	v.allowed == false
} else := unlocated_verdict(class, loc.reason) if loc.kind == "unknown"

else := unlocated_verdict(class, "CloudFront caches what it serves at edge locations in many countries")

unlocated_verdict(class, reason) := {"allowed": req.level == "any", "reason": reason, "because": residency.because(req)} if {
	req := residency.requirement(plan.context.jurisdiction, text.plain(class), plan.context.sectors)
}
