/*
 * skill_abi.h: the whole contract between skillhostd and a skill.
 *
 * A skill is a shared object (.so) that exports one symbol, `skill_entry`, returning a
 * pointer to a static `skill_descriptor`. The host calls `skill_entry`, checks the ABI
 * version stamped in the descriptor before it calls or reads anything else, and then
 * calls the descriptor's functions. Everything the skill may ask of the host (inference,
 * output, logs, memory, errors) goes through the `skill_host` table of function pointers
 * (the CSI, Cognitive System Interface) handed to every call of `run`: a skill never links
 * against the host.
 *
 * The smallest skill is one function and one macro line:
 *
 *     #include <skill_abi.h>
 *
 *     static skill_status greet(const skill_host *host, skill_invocation *inv,
 *                               void *state, skill_bytes input, skill_bytes *output) {
 *         *output = SKILL_BYTES_LITERAL("{\"greeting\":\"hello\"}");
 *         return SKILL_OK;
 *     }
 *
 *     SKILL_DEFINE("hello", "1.0.0", "Says hello.", greet)
 *
 * Build it with `cc -shared -fPIC -I<dir of this header> hello.c -o libhello.so`.
 *
 * Versioning. The ABI has a major and a minor version. The host accepts a skill whose
 * major version equals its own and whose minor version is not newer than its own; it
 * refuses anything else at install time, naming both versions. Every struct carries its
 * size (the descriptor after its magic and version), and new fields and functions are
 * only ever appended in a later minor version: a skill checks `host->struct_size` (see
 * SKILL_HOST_HAS) before calling a function that was added after the minor version it was
 * built for, and the host reads and writes no more of a skill's struct than the size the
 * skill put in it. The sizes of each version are fixed below (SKILL_*_SIZE_1_0, _1_1).
 *
 * What each minor version added:
 *   1.0  the descriptor; complete_text, write_output, log, alloc, set_error.
 *   1.1  `chat` (OpenAI chat completions) at the end of `skill_host`; `flags` at the end of
 *        `skill_complete_params`, with SKILL_COMPLETE_STREAM (the model's text streamed
 *        to the run's output as it is generated).
 * A skill built for 1.0 runs unchanged on a 1.1 host: it never sees the new function, and
 * its smaller `skill_complete_params` is read without `flags` (as 0).
 *
 * Memory. Strings and buffers the host hands to a skill (the input, the text returned by
 * `complete_text` and `chat`, memory from `alloc`) stay valid until the invocation ends,
 * that is until `run` returns; the host frees them then. The output a skill returns must
 * stay valid until `run` returns: the host copies it at once. A static buffer, memory
 * from `host->alloc`, or memory the skill owns and frees in `deinit` are all fine.
 * Strings passed to the host (prompts, chat messages, log lines, errors) are copied
 * before the call returns. Every string crossing this boundary is UTF-8, with an explicit
 * length; it need not be NUL-terminated, except the C strings of the descriptor and of
 * `skill_complete_params`.
 *
 * Threads. `init` and `deinit` are called once per loaded instance of the skill. `run`
 * may be called on several threads at once with the same state, unless the descriptor
 * sets SKILL_FLAG_SERIAL. Host functions may be called from the thread running `run` and
 * from threads the skill starts, but only while that `run` has not returned. The host
 * keeps its threads from one call to the next: thread-local data a skill leaves behind is
 * still there on a later `run` (of this skill or another on the same host).
 *
 * What a skill may not do: call exit() or abort() on purpose, fork, install signal
 * handlers, change the process's working directory, environment or signal mask, dlclose
 * itself, let a C++ exception or any other unwinding cross `init`, `run` or `deinit`, call
 * host functions from `init` or `deinit` (they have no invocation), or keep a pointer to a
 * `skill_invocation` (or to anything the host handed it) after `run` returns.
 *
 * Trapped invocations. When a host function fails for a reason the skill cannot mend
 * (the inference server is down, the deadline passed, the run was cancelled, a host
 * function was called with invalid arguments), the host ends the invocation at once: its
 * caller receives the error immediately, every later host call of that invocation
 * returns SKILL_ERR_ABORTED, and whatever `run` returns is dropped. A skill that sees
 * SKILL_ERR_ABORTED should return as soon as it can. In process isolation the host may
 * instead never return from the failed call and end the worker process.
 *
 * This header is plain C99 and depends only on <stddef.h> and <stdint.h>.
 */
#ifndef SKILL_ABI_H
#define SKILL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------ */

/** The ABI major version: a change here breaks every skill built before it. */
#define SKILL_ABI_VERSION_MAJOR 1
/** The ABI minor version: grows when fields or host functions are appended. */
#define SKILL_ABI_VERSION_MINOR 1

/** First field of every descriptor: the bytes "SKIL" read as a little-endian uint32. */
#define SKILL_DESCRIPTOR_MAGIC 0x4C494B53u

/* ---- Status codes ---------------------------------------------------------------- */

/** What a skill function or a host function reports. */
typedef int32_t skill_status;

/** Success. */
#define SKILL_OK 0
/** Skill side: the input was not what the skill accepts (say why with `set_error`). */
#define SKILL_ERR_INVALID_INPUT 1
/** Skill side: the skill failed (say why with `set_error`). */
#define SKILL_ERR_FAILED 2
/** Host side: the invocation was trapped (inference failed, deadline, cancel). Return now. */
#define SKILL_ERR_ABORTED 3
/** Host side: the host does not offer what was asked (an unknown log level, say). */
#define SKILL_ERR_UNSUPPORTED 4

/* ---- Byte strings ---------------------------------------------------------------- */

/** A UTF-8 byte string with an explicit length; `data` may be NULL when `len` is 0. */
typedef struct skill_bytes {
    const char *data;
    size_t len;
} skill_bytes;

/** A skill_bytes for a string literal, without its terminating NUL. */
#ifdef __cplusplus
#define SKILL_BYTES_LITERAL(literal) (skill_bytes{ (literal), sizeof(literal) - 1 })
#else
#define SKILL_BYTES_LITERAL(literal) ((skill_bytes){ (literal), sizeof(literal) - 1 })
#endif

/* ---- The invocation and the host table (CSI) --------------------------------------- */

/** One call of `run`, owned by the host. Opaque: pass it back to host functions only. */
typedef struct skill_invocation skill_invocation;

/** Log levels for `host->log`. */
typedef int32_t skill_log_level;
#define SKILL_LOG_DEBUG 0
#define SKILL_LOG_INFO 1
#define SKILL_LOG_WARNING 2
#define SKILL_LOG_ERROR 3

/**
 * `skill_complete_params.flags` (ABI 1.1): each piece of generated text is also written to
 * the run's output as it arrives, exactly as `write_output` would (so the caller of a
 * streamed run sees tokens while the model generates); `*result` still receives the whole
 * text. The pieces count against the run's output limit like any other output: going over
 * it traps the invocation. Without the flag the model's text reaches the output only if
 * the skill writes or returns it.
 */
#define SKILL_COMPLETE_STREAM 0x1u

/**
 * Sampling parameters of `complete_text` and `chat`. Start from SKILL_COMPLETE_PARAMS_INIT:
 * a field left at its initial value means "the server's default". Invalid values (a
 * negative `max_tokens`, `top_p` outside (0, 1], a NaN, an empty or non-UTF-8 `model` or
 * stop sequence, a `stop` of NULL with a `stop_count`, unknown `flags` bits) trap the
 * invocation as an invalid call.
 */
typedef struct skill_complete_params {
    /** sizeof(skill_complete_params) as the skill was built. */
    uint32_t struct_size;
    /** Most tokens to generate; 0: the server's default. */
    int32_t max_tokens;
    /** Model name as the host's configuration knows it; NULL: the default model. */
    const char *model;
    /** Sampling temperature, 0 or more; negative: the server's default. */
    double temperature;
    /** Nucleus sampling mass in (0, 1]; negative: the server's default. */
    double top_p;
    /** Top-k sampling, 1 or more; 0 or negative: the server's default. */
    int32_t top_k;
    /** Number of entries in `stop`. */
    uint32_t stop_count;
    /** Stop sequences (NUL-terminated UTF-8); may be NULL when stop_count is 0. */
    const char *const *stop;
    /**
     * ABI 1.1: SKILL_COMPLETE_* bits; 0: none. The host reads it only when `struct_size`
     * covers it, so a skill built for 1.0 (whose struct ends before it) gets 0.
     */
    uint32_t flags;
} skill_complete_params;

/** Every parameter at "the server's default", no flags. */
#define SKILL_COMPLETE_PARAMS_INIT \
    { sizeof(skill_complete_params), 0, NULL, -1.0, -1.0, 0, 0, NULL, 0u }

/**
 * A completion returned by `complete_text` or `chat`. `text` stays valid until the
 * invocation ends. The skill sets `struct_size` to sizeof(skill_completion) before the
 * call; the host fills no more than that many bytes.
 */
typedef struct skill_completion {
    /** sizeof(skill_completion) as the skill was built. */
    uint32_t struct_size;
    /** Tokens in the prompt, as the server counted them. */
    uint32_t prompt_tokens;
    /** Tokens generated. */
    uint32_t completion_tokens;
    /** The generated text (UTF-8); for `chat`, the assistant's reply. */
    skill_bytes text;
} skill_completion;

/**
 * One message of a conversation handed to `chat` (ABI 1.1). Both strings are UTF-8 with
 * an explicit length and are copied before `chat` returns. This struct has no size field
 * and never grows: a later version that needs more per message adds another function.
 */
typedef struct skill_chat_message {
    /** Who speaks: "system", "user" or "assistant" (servers may accept others); not empty. */
    skill_bytes role;
    /** What they say; may be empty. */
    skill_bytes content;
} skill_chat_message;

/**
 * The CSI: what the host offers a skill during `run`. Fields are only ever appended;
 * check with SKILL_HOST_HAS before calling a function added after ABI 1.0.
 */
typedef struct skill_host {
    /** sizeof(skill_host) as the host was built. */
    uint32_t struct_size;
    /** The host's ABI version. */
    uint16_t abi_major;
    uint16_t abi_minor;

    /**
     * Completes `prompt` with the inference server (OpenAI `/v1/completions`).
     * `params` may be NULL (every parameter at its default); SKILL_COMPLETE_STREAM (ABI
     * 1.1) streams the text to the run's output as it is generated. On SKILL_OK, `*result`
     * holds the whole text and the token counts. On failure the invocation is trapped (see
     * the top of this header) and SKILL_ERR_ABORTED is returned: the run fails as an
     * invalid call when `params` names a model the host does not know or is otherwise
     * invalid, and as an inference failure for anything else (the server is down or
     * answers an error, the stream breaks off, ...).
     */
    skill_status (*complete_text)(skill_invocation *inv, skill_bytes prompt,
                                  const skill_complete_params *params,
                                  skill_completion *result);

    /**
     * Sends a chunk of output to the caller as it is produced. The run's output is every
     * chunk written, in order, followed by the bytes `run` returns in `*output`.
     */
    skill_status (*write_output)(skill_invocation *inv, skill_bytes chunk);

    /** Records a log line with the run. Lines are bounded in size by the host. */
    skill_status (*log)(skill_invocation *inv, skill_log_level level, skill_bytes message);

    /**
     * Allocates `size` bytes (aligned for any type) that the host frees when the
     * invocation ends. Returns NULL when the invocation is trapped or memory runs out.
     */
    void *(*alloc)(skill_invocation *inv, size_t size);

    /** Sets the message shown for a run that returns SKILL_ERR_INVALID_INPUT or _FAILED. */
    void (*set_error)(skill_invocation *inv, skill_bytes message);

    /* ---- ABI 1.1: check SKILL_HOST_HAS(host, chat) first ---- */

    /**
     * Asks the inference server for the assistant's reply to a conversation (OpenAI
     * `/v1/chat/completions`, the model's chat template turning the messages into its
     * prompt): `messages[0]` to `messages[message_count - 1]`, oldest first, at least one.
     * `params` may be NULL (every parameter at its default); SKILL_COMPLETE_STREAM streams
     * the reply to the run's output. On SKILL_OK, `*result` holds the reply and the token
     * counts. Trapping is as for `complete_text`: on failure the invocation is trapped and
     * SKILL_ERR_ABORTED is returned. A model without a chat template (a base model) traps
     * the invocation with an inference error that says so; call `complete_text` with a
     * plain prompt for such a model. Invalid arguments (no messages, `messages` NULL with
     * a count, a role or content whose `data` is NULL with a length, an empty role, text
     * that is not UTF-8) trap it as an invalid call.
     */
    skill_status (*chat)(skill_invocation *inv, const skill_chat_message *messages,
                         size_t message_count, const skill_complete_params *params,
                         skill_completion *result);
} skill_host;

/**
 * Whether `host` has the function pointer `field`: the host's table is long enough to
 * hold it (the host was built for the minor version that appended it, or a later one) and
 * the host filled it in. For example `if (SKILL_HOST_HAS(host, chat)) host->chat(...)`.
 */
#define SKILL_HOST_HAS(host, field) \
    ((host)->struct_size >= offsetof(skill_host, field) + sizeof((host)->field) && (host)->field != NULL)

/* ---- The skill's side -------------------------------------------------------------- */

/** `run` may not be called on several threads at once with the same state. */
#define SKILL_FLAG_SERIAL 0x1u

/**
 * Creates the state handed to every `run` of this loaded instance. Optional. Returns
 * SKILL_OK, or SKILL_ERR_FAILED to refuse loading.
 */
typedef skill_status (*skill_init_fn)(void **state);

/**
 * Handles one invocation. `input` is the caller's input, by convention JSON text. On
 * SKILL_OK the skill sets `*output` (by convention JSON text; see "Memory" above); on an
 * error status it says why with `host->set_error`.
 */
typedef skill_status (*skill_run_fn)(const skill_host *host, skill_invocation *inv,
                                     void *state, skill_bytes input, skill_bytes *output);

/** Releases the state made by `init`. Optional. */
typedef void (*skill_deinit_fn)(void *state);

/**
 * What a skill is. Returned by `skill_entry`; must be static and never change. The host
 * reads `magic`, `abi_major` and `abi_minor` first and refuses a version it does not
 * accept before it reads any other field.
 */
typedef struct skill_descriptor {
    /** SKILL_DESCRIPTOR_MAGIC. */
    uint32_t magic;
    /** SKILL_ABI_VERSION_MAJOR and _MINOR as the skill was built. */
    uint16_t abi_major;
    uint16_t abi_minor;
    /** sizeof(skill_descriptor) as the skill was built. */
    uint32_t struct_size;
    /** SKILL_FLAG_* bits. */
    uint32_t flags;
    /** Name: 1 to 64 of [a-z0-9-], starting with a letter or digit. */
    const char *name;
    /** Semantic version: MAJOR.MINOR.PATCH, optionally -prerelease and +build. */
    const char *version;
    /** One line for `skillctl list`; may be NULL. */
    const char *description;
    /** JSON Schema of the input; NULL when not given. */
    const char *input_schema;
    /** JSON Schema of the output; NULL when not given. */
    const char *output_schema;
    skill_init_fn init;
    skill_run_fn run;
    skill_deinit_fn deinit;
} skill_descriptor;

/** The one symbol a skill exports. It must do nothing but return its static descriptor. */
typedef const skill_descriptor *(*skill_entry_fn)(void);

/* ---- Sizes of each ABI version (LP64: x86_64 and aarch64 Linux) ------------------------ */

/* ABI 1.0. A struct of a later version starts with the whole 1.0 struct. */
#define SKILL_DESCRIPTOR_SIZE_1_0 80u
#define SKILL_HOST_SIZE_1_0 48u
#define SKILL_COMPLETE_PARAMS_SIZE_1_0 48u
#define SKILL_COMPLETION_SIZE_1_0 32u

/* ABI 1.1: `chat` appended to the host table, `flags` (and padding) to the params. */
#define SKILL_DESCRIPTOR_SIZE_1_1 80u
#define SKILL_HOST_SIZE_1_1 56u
#define SKILL_COMPLETE_PARAMS_SIZE_1_1 56u
#define SKILL_COMPLETION_SIZE_1_1 32u
#define SKILL_CHAT_MESSAGE_SIZE_1_1 32u

/** The name of that symbol, for dlsym. */
#define SKILL_ENTRY_SYMBOL "skill_entry"

#if defined(__GNUC__) || defined(__clang__)
#define SKILL_EXPORT __attribute__((visibility("default")))
#else
#define SKILL_EXPORT
#endif

/** Declared here, inside `extern "C"`, so that a C++ skill exports it unmangled. */
SKILL_EXPORT const skill_descriptor *skill_entry(void);

/**
 * Defines a skill in full: its descriptor and its `skill_entry`. Use once per .so.
 * INIT and DEINIT may be NULL; SCHEMA arguments may be NULL.
 */
#define SKILL_DEFINE_FULL(NAME, VERSION, DESCRIPTION, FLAGS, INPUT_SCHEMA, OUTPUT_SCHEMA, \
                          INIT, RUN, DEINIT)                                                \
    static const skill_descriptor skill_descriptor_instance_ = {                            \
        SKILL_DESCRIPTOR_MAGIC, SKILL_ABI_VERSION_MAJOR, SKILL_ABI_VERSION_MINOR,           \
        (uint32_t)sizeof(skill_descriptor), (FLAGS), (NAME), (VERSION), (DESCRIPTION),      \
        (INPUT_SCHEMA), (OUTPUT_SCHEMA), (INIT), (RUN), (DEINIT)};                          \
    SKILL_EXPORT const skill_descriptor *skill_entry(void) {                                \
        return &skill_descriptor_instance_;                                                 \
    }

/** Defines a stateless skill: a name, a version, a one-line description and `run`. */
#define SKILL_DEFINE(NAME, VERSION, DESCRIPTION, RUN) \
    SKILL_DEFINE_FULL(NAME, VERSION, DESCRIPTION, 0u, NULL, NULL, NULL, RUN, NULL)

#ifdef __cplusplus
}
#endif

#endif /* SKILL_ABI_H */
