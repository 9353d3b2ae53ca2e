/* The input of the fixtures that take a path: the bytes as they are (a runner test's
 * input), or a JSON string without escapes (what `skillctl run SKILL PATH` sends). */
#ifndef FIXTURE_PATH_H
#define FIXTURE_PATH_H

#include <limits.h>
#include <skill_abi.h>
#include <string.h>

/* Copies the path `input` names into `path`, with its NUL. Returns 1; when the input is
 * empty or too long, sets the run's error and returns 0 (the run returns
 * SKILL_ERR_INVALID_INPUT). */
static int fixture_path(const skill_host *host, skill_invocation *inv, skill_bytes input, char path[PATH_MAX]) {
    const char *text = input.data;
    size_t length = input.len;
    if (length >= 2 && text[0] == '"' && text[length - 1] == '"') {
        text++;
        length -= 2;
    }
    if (length == 0 || length >= PATH_MAX) {
        host->set_error(inv, SKILL_BYTES_LITERAL("the input must be a path"));
        return 0;
    }
    memcpy(path, text, length);
    path[length] = '\0';
    return 1;
}

#endif
