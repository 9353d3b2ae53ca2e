/* The floor of a request/response over a Unix stream socket, for skillbench.
 *
 *   uds_echo_floor serve PATH    listens on PATH; one thread per connection writes back every
 *                                byte it reads. skillbench's own client measures its round trips
 *                                against this server with the same request line it sends the
 *                                daemon, so the ratio daemon / floor compares like with like.
 *   uds_echo_floor rtt PATH N    a C client: N round trips of that request line against the
 *                                server at PATH; prints "c_client_rtt_ns p50 p99" (the floor of
 *                                the floor: no Swift on either side).
 *
 * Derived from /work/shared/bench/uds_echo_floor.c (one process, server thread and client). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char request[] =
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"skills.run\",\"params\":{\"input\":{},\"skill\":\"noop-inprocess\"}}\n";

static int fail(const char *what) {
    perror(what);
    return 1;
}

static int address(const char *path, struct sockaddr_un *out) {
    memset(out, 0, sizeof *out);
    out->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof out->sun_path) return -1;
    strcpy(out->sun_path, path);
    return 0;
}

static void *echo(void *arg) {
    int fd = (int)(long)arg;
    char buffer[65536];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        for (ssize_t sent = 0; sent < n;) {
            ssize_t w = write(fd, buffer + sent, (size_t)(n - sent));
            if (w <= 0) goto done;
            sent += w;
        }
    }
done:
    close(fd);
    return NULL;
}

static int serve(const char *path) {
    struct sockaddr_un a;
    if (address(path, &a) != 0) return fail("socket path too long");
    unlink(path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0) return fail("socket");
    if (bind(listener, (struct sockaddr *)&a, sizeof a) != 0) return fail("bind");
    if (listen(listener, 128) != 0) return fail("listen");
    for (;;) {
        int c = accept(listener, NULL, NULL);
        if (c < 0) continue;
        pthread_t thread;
        if (pthread_create(&thread, NULL, echo, (void *)(long)c) != 0) { close(c); continue; }
        pthread_detach(thread);
    }
}

static int compare(const void *l, const void *r) {
    long long a = *(const long long *)l, b = *(const long long *)r;
    return (a > b) - (a < b);
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int rtt(const char *path, int n) {
    struct sockaddr_un a;
    if (address(path, &a) != 0 || n <= 0) return fail("arguments");
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) != 0) return fail("connect");
    long long *samples = malloc(sizeof *samples * (size_t)n);
    if (!samples) return fail("malloc");
    size_t len = strlen(request);
    char buffer[4096];
    for (int i = 0; i < n; i++) {
        long long start = now_ns();
        if (write(c, request, len) != (ssize_t)len) return fail("write");
        size_t got = 0;
        while (got < len) {
            ssize_t r = read(c, buffer + got, sizeof buffer - got);
            if (r <= 0) return fail("read");
            got += (size_t)r;
        }
        samples[i] = now_ns() - start;
    }
    qsort(samples, (size_t)n, sizeof *samples, compare);
    printf("c_client_rtt_ns %lld %lld\n", samples[(n - 1) / 2], samples[(int)((n - 1) * 0.99)]);
    free(samples);
    close(c);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve(argv[2]);
    if (argc == 4 && strcmp(argv[1], "rtt") == 0) return rtt(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: uds_echo_floor serve PATH | uds_echo_floor rtt PATH N\n");
    return 2;
}
