#include "cshim_signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal = 0;
static volatile sig_atomic_t reload_requested = 0;
static volatile sig_atomic_t wake_descriptor = -1;

static void wake_waiter(void) {
    int saved = errno;
    int descriptor = wake_descriptor;
    if (descriptor >= 0) (void)write(descriptor, "", 1);
    errno = saved;
}

static void on_stop_signal(int signal) {
    if (stop_signal != 0) _exit(128 + signal);
    stop_signal = signal;
    wake_waiter();
}

static void on_reload_signal(int signal) {
    (void)signal;
    reload_requested = 1;
    wake_waiter();
}

static int catch_signal(int signal, int wake_fd, void (*handler)(int)) {
    wake_descriptor = wake_fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    return sigaction(signal, &action, NULL);
}

int cshim_catch_stop_signal(int signal, int wake_fd) { return catch_signal(signal, wake_fd, on_stop_signal); }

int cshim_stop_signal_received(void) { return stop_signal; }

int cshim_catch_reload_signal(int signal, int wake_fd) { return catch_signal(signal, wake_fd, on_reload_signal); }

int cshim_take_reload_request(void) {
    if (reload_requested == 0) return 0;
    reload_requested = 0;
    return 1;
}

int cshim_unblock_signal(int signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
