/* Compile-time checks that the ABI's layout is what the documentation promises on LP64
 * Linux (x86_64, aarch64). A change that moves a field fails the build here first. */
#include "skill_abi.h"

_Static_assert(sizeof(skill_bytes) == 16, "skill_bytes is two words");
_Static_assert(offsetof(skill_descriptor, magic) == 0, "magic comes first");
_Static_assert(offsetof(skill_descriptor, abi_major) == 4, "the version follows the magic");
_Static_assert(offsetof(skill_descriptor, abi_minor) == 6, "the version follows the magic");
_Static_assert(offsetof(skill_descriptor, struct_size) == 8, "the size follows the version");
_Static_assert(offsetof(skill_host, complete_text) == 8, "functions follow the header");

/* ABI 1.0: every later struct starts with the whole 1.0 struct. */
_Static_assert(offsetof(skill_host, chat) == SKILL_HOST_SIZE_1_0, "host table layout of ABI 1.0");
_Static_assert(offsetof(skill_complete_params, flags) == SKILL_COMPLETE_PARAMS_SIZE_1_0, "params layout of ABI 1.0");
_Static_assert(SKILL_DESCRIPTOR_SIZE_1_0 == SKILL_DESCRIPTOR_SIZE_1_1, "the descriptor did not grow in ABI 1.1");
_Static_assert(SKILL_COMPLETION_SIZE_1_0 == SKILL_COMPLETION_SIZE_1_1, "the completion did not grow in ABI 1.1");

/* ABI 1.1. */
_Static_assert(sizeof(skill_descriptor) == SKILL_DESCRIPTOR_SIZE_1_1, "descriptor layout of ABI 1.1");
_Static_assert(sizeof(skill_host) == SKILL_HOST_SIZE_1_1, "host table layout of ABI 1.1");
_Static_assert(sizeof(skill_complete_params) == SKILL_COMPLETE_PARAMS_SIZE_1_1, "params layout of ABI 1.1");
_Static_assert(sizeof(skill_completion) == SKILL_COMPLETION_SIZE_1_1, "completion layout of ABI 1.1");
_Static_assert(sizeof(skill_chat_message) == SKILL_CHAT_MESSAGE_SIZE_1_1, "chat message layout of ABI 1.1");
_Static_assert(offsetof(skill_chat_message, content) == sizeof(skill_bytes), "content follows role");
