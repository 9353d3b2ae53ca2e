/* Compile-time checks that the ABI's layout is what the documentation promises on LP64
 * Linux (x86_64, aarch64). A change that moves a field fails the build here first. */
#include "skill_abi.h"

_Static_assert(sizeof(skill_bytes) == 16, "skill_bytes is two words");
_Static_assert(offsetof(skill_descriptor, magic) == 0, "magic comes first");
_Static_assert(offsetof(skill_descriptor, abi_major) == 4, "the version follows the magic");
_Static_assert(offsetof(skill_descriptor, abi_minor) == 6, "the version follows the magic");
_Static_assert(offsetof(skill_descriptor, struct_size) == 8, "the size follows the version");
_Static_assert(sizeof(skill_descriptor) == SKILL_DESCRIPTOR_SIZE_1_0, "descriptor layout of ABI 1.0");
_Static_assert(offsetof(skill_host, complete_text) == 8, "functions follow the header");
_Static_assert(sizeof(skill_host) == SKILL_HOST_SIZE_1_0, "host table layout of ABI 1.0");
_Static_assert(sizeof(skill_complete_params) == SKILL_COMPLETE_PARAMS_SIZE_1_0, "params layout of ABI 1.0");
_Static_assert(sizeof(skill_completion) == SKILL_COMPLETION_SIZE_1_0, "completion layout of ABI 1.0");
