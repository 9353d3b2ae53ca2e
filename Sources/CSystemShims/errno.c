#define _GNU_SOURCE
#include "cshim_errno.h"

#include <string.h>

const char *cshim_errno_name(int code) { return strerrorname_np(code); }
