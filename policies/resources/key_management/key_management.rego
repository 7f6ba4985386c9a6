# QA-RES-006: every customer-managed KMS key that can rotate automatically does.
package qantara.resources.key_management

import rego.v1

import data.qantara.lib.plan

key_types := {"aws:kms/key:Key"}

findings := [finding |
	some at in plan.indexes_of(key_types)
	key := plan.resources[at]
	rotatable(key)
	not rotates(key)
	finding := {
		"policy": "QA-RES-006",
		"resource": key.urn,
		"message": sprintf("%s does not rotate its key material (enableKeyRotation %s); a symmetric encryption key of the platform sets enable_key_rotation=True", [plan.label(key), rotation_setting(key)]),
	}
]

# AWS rotates only symmetric encryption keys whose material KMS generated in its own key
# store: not asymmetric or HMAC keys, keys in a custom key store, or imported material
# (aws:kms/externalKey). An unknown spec or store is given the benefit of the doubt.
rotatable(key) if {
	object.get(key.inputs, "customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
	object.get(key.inputs, "keyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
	not key.inputs.customKeyStoreId
}

rotates(key) if key.inputs.enableKeyRotation == true

rotates(key) if plan.is_unknown(key.inputs.enableKeyRotation)

rotation_setting(key) := "is false" if key.inputs.enableKeyRotation == false

else := "is not set"
