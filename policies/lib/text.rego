# Text helpers.
package qantara.lib.text

import rego.v1

# concat, but safe to hand to sprintf: regopy 1.5 quotes a concat result that is later
# formatted with sprintf ("in \"AE\""); any other string builtin on it clears that.
join(separator, items) := trim_space(concat(separator, items))
