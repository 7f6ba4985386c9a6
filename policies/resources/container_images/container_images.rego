# QA-RES-024: model images are scanned for vulnerabilities when pushed.
# QA-RES-025: image tags are immutable: a released tag always names the image that was approved.
package qantara.resources.container_images

import rego.v1

import data.qantara.lib.plan
import data.qantara.lib.text

repositories := plan.resources_of({"aws:ecr/repository:Repository"})

findings := array.concat(scan_findings, mutability_findings)

scan_findings := [finding |
	some r in repositories
	not scans_on_push(r)
	not registry_scans(r.location)
	finding := {
		"policy": "QA-RES-024",
		"resource": r.urn,
		"message": sprintf("%s does not scan images on push (imageScanningConfiguration.scanOnPush is not true, and no registry scanning rule covers it); set image_scanning_configuration scan_on_push=True", [plan.label(r)]),
	}
]

scans_on_push(r) if r.inputs.imageScanningConfiguration.scanOnPush == true

scans_on_push(r) if plan.is_unknown(object.get(r.inputs, ["imageScanningConfiguration", "scanOnPush"], null))

# A registry scanning rule for every repository (filter "*") in the repository's region.
registry_scans(location) if {
	some at in plan.indexes_of({"aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"})
	config := plan.resources[at]
	some rule in object.get(config.inputs, "rules", [])
	rule.scanFrequency in {"SCAN_ON_PUSH", "CONTINUOUS_SCAN"}
	some filter in object.get(rule, "repositoryFilters", [])
	filter.filter == "*"
	config.location.region in {location.region, "[unknown]"}
}

mutability_findings := [finding |
	some r in repositories
	setting := object.get(r.inputs, "imageTagMutability", "MUTABLE")
	not setting in {"IMMUTABLE", "[unknown]"}
	finding := {
		"policy": "QA-RES-025",
		"resource": r.urn,
		"message": sprintf("%s lets image tags be overwritten (imageTagMutability %s); set image_tag_mutability=\"IMMUTABLE\"", [plan.label(r), text.plain(setting)]),
	}
]
