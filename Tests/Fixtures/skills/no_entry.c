/* no-entry: a valid shared object that exports no skill_entry, for the "missing entry
 * symbol" install error. */
#include <skill_abi.h>

__attribute__((visibility("default"))) int not_a_skill(void) {
    return 42;
}
