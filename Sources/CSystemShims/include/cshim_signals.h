/* The daemon's stop and reload signals, caught without a descriptor that code in the
 * process could close: a handler that only records the signal and writes a byte to a
 * wake-up pipe. */
#ifndef CSHIM_SIGNALS_H
#define CSHIM_SIGNALS_H

/** Catches `signal` with a handler that records it (`cshim_stop_signal_received`) and
 * writes one byte to `wake_fd` (errors ignored: the waiter also polls); a second stop
 * signal, while the first is being handled, ends the process at once with
 * `_exit(128 + signal)`. Uses only async-signal-safe calls. Returns 0, or -1 with errno. */
int cshim_catch_stop_signal(int signal, int wake_fd);

/** The first stop signal caught, or 0 while none was. */
int cshim_stop_signal_received(void);

/** Catches `signal` (SIGHUP) with a handler that records a reload request
 * (`cshim_take_reload_request`) and writes one byte to `wake_fd`, the same descriptor as
 * the stop signals'. Requests made before the last one was taken count as one. Uses only
 * async-signal-safe calls. Returns 0, or -1 with errno. */
int cshim_catch_reload_signal(int signal, int wake_fd);

/** 1 when a reload signal arrived since the last call, which takes the request; 0 otherwise.
 * Called from one thread only, the one that waits on the wake-up descriptor. */
int cshim_take_reload_request(void);

/** Unblocks `signal` in the calling thread (a thread started from one that blocks it, a
 * Dispatch worker say, inherits the block). Returns 0, or an error number. */
int cshim_unblock_signal(int signal);

#endif
