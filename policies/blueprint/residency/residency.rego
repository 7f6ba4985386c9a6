# QA-BP-003: every component is placed where the data it holds may live.
# QA-BP-004: the disaster-recovery region may hold the strictest class placed in the cloud.
#
# Judged from the blueprint alone, with the one residency rule (qantara.lib.residency):
# a component is in the primary region when it goes to the cloud, on the on-prem site when
# it goes on-prem. Each component's class and mode (cloud, onprem, auto) are the resolved
# platform's facts (qantara.lib.resolved); without them this package reports QA-BP-003.
# Where the blueprint leaves the choice to placement (no region named, or a hybrid
# component without placement), placement picks an allowed location and this policy has
# nothing to judge. Findings carry `dataClass`: residency findings on restricted and
# secret data cannot be waived (metadata nonWaivableClasses).
package qantara.blueprint.residency

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.residency
import data.qantara.lib.resolved

spec := input.blueprint.spec

classes := data.catalog.jurisdictions.classifications

class_rank(class) := i if classes[i] == class

findings := array.concat(array.concat(component_findings, dr_findings), resolved.unresolved("QA-BP-003", "spec.components"))

enabled := {name: component |
	component := object.get(spec, "components", {})[name]
	object.get(component, "enabled", true) == true
}

# A component's class and where the blueprint puts it (cloud, onprem, or auto: placement
# decides per component) are the resolved platform's facts, by component name.
component_class(name) := resolved.component_class(name)

mode(name) := resolved.component_mode(name)

primary_region := object.get(spec, ["cloud", "region"], null)

region_location(code) := {"kind": "cloud", "region": code, "country": object.get(data.catalog.aws_regions.regions, [code, "country"], null)}

# Where the blueprint puts a component (by name); undefined when placement chooses.
location(name) := region_location(primary_region) if {
	mode(name) == "cloud"
	is_string(primary_region)
}

location(name) := {"kind": "onprem", "site": spec.onPrem.site, "country": spec.onPrem.country} if {
	mode(name) == "onprem"
	is_object(object.get(spec, "onPrem", null))
}

where(location) := location.region if location.kind == "cloud"

else := sprintf("on-prem site %s (%s)", [location.site, location.country])

# One verdict per (class, location) pair, not per component: components share a few.
placed_pairs := {[component_class(name), location(name)] | enabled[name]}

verdicts := {json.marshal(pair): residency.verdict(plan.context, pair[0], pair[1]) | some pair in placed_pairs}

component_findings := [finding |
	enabled[name]
	class := component_class(name)
	place := location(name)
	verdict := verdicts[json.marshal([class, place])]
	not verdict.allowed
	finding := {
		"policy": "QA-BP-003",
		"resource": sprintf("spec.components.%s", [name]),
		"dataClass": class,
		"message": sprintf("component %s holds %s data and is placed in %s: %s [%s]", [name, class, where(place), verdict.reason, verdict.because]),
	}
]

# The classes that go to the cloud. A hybrid component left to placement counts when a
# region may hold its class: the primary region when named, else any region. Placement also
# keeps a component out of a region that lacks its services, so this can only be stricter.
# Sets, so that each class is judged once.
cloud_classes := {component_class(name) | enabled[name]; mode(name) == "cloud"} | cloud_capable

auto_classes := {component_class(name) | enabled[name]; mode(name) == "auto"}

cloud_capable := {class |
	some class in auto_classes
	is_string(primary_region)
	verdicts_in_primary[class].allowed
} | {class |
	some class in auto_classes
	not is_string(primary_region)
	count(regions_allowing(class)) > 0
}

verdicts_in_primary := {class: residency.verdict(plan.context, class, region_location(primary_region)) | some class in auto_classes}

regions_allowing(class) := [code |
	req := residency.requirement(spec.jurisdiction, class, object.get(spec, "sectors", []))
	req_summary := residency.summary(req)
	region := data.catalog.aws_regions.regions[code]
	residency.judged(plan.context, class, req, req_summary, {"kind": "cloud", "region": code, "country": region.country}).allowed
]

strictest(names) := classes[max([class_rank(class) | some class in names])]

dr_findings := [finding |
	dr := object.get(spec, ["cloud", "drRegion"], null)
	is_string(dr)
	count(cloud_classes) > 0
	class := strictest(cloud_classes)
	verdict := residency.verdict(plan.context, class, region_location(dr))
	not verdict.allowed
	finding := {
		"policy": "QA-BP-004",
		"resource": "spec.cloud.drRegion",
		"dataClass": class,
		"message": sprintf("DR region %s would hold replicas of %s data (the strictest class placed in the cloud): %s [%s]", [dr, class, verdict.reason, verdict.because]),
	}
]
