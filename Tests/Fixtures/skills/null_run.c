/* null-run: a descriptor without a run function; the host must refuse it at install time
 * naming the field. */
#include <skill_abi.h>

SKILL_DEFINE("null-run", "1.0.0", "A skill without a run function.", NULL)
