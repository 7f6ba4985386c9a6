# Text helpers that keep regopy 1.5's sprintf honest.
#
# regopy 1.5 keeps the JSON quotes of some strings (a concat result, a literal written in
# a query, an empty default from object.get) and sprintf's %s then prints them:
# "in \"AE\"". Passing such a value through a string builtin first clears it.
package qantara.lib.text

import rego.v1

# concat, safe to hand to sprintf.
join(separator, items) := trim_space(concat(separator, items))

# A string safe to hand to sprintf, whatever it came from.
plain(value) := trim_space(value) if is_string(value)

else := sprintf("%v", [value])
