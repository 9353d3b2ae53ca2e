/* The symbolic name of an errno value, which glibc only declares under _GNU_SOURCE. */
#ifndef CSHIM_ERRNO_H
#define CSHIM_ERRNO_H

/** strerrorname_np(code): "ENOENT" for ENOENT, or NULL for a number that names no error. */
const char *cshim_errno_name(int code);

#endif
