/*
 * spawnlimit: the physical limit floe's benchmark compares against (issue 5).
 *
 *   spawnlimit PROGRAM BASEPORT N [TRIALS]
 *
 * For each trial: posix_spawn()s N copies of PROGRAM with the arguments "BASEPORT", "BASEPORT+1",
 * ... (a tinyserver each), then waits until every one of them accepts a TCP connection on
 * 127.0.0.1, and prints the time from the first spawn to the last accept in milliseconds, one line
 * per trial. Then it sends SIGTERM to the processes and reaps them before the next trial. Nothing
 * else: no supervision, no logs, no probes -- the least any supervisor has to do.
 *
 * Gives up (exit 1) when a process is not accepting after 60 s. Exit 2 on bad usage.
 *
 * Build: cc -Wall -Wextra -O2 -o spawnlimit spawnlimit.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* 1 when 127.0.0.1:port accepts a connection now, 0 when refused. */
static int accepts(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

static void stop_all(pid_t *pids, long n) {
    for (long i = 0; i < n; i++)
        if (pids[i] > 0) kill(pids[i], SIGTERM);
    for (long i = 0; i < n; i++)
        if (pids[i] > 0) waitpid(pids[i], NULL, 0);
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: spawnlimit PROGRAM BASEPORT N [TRIALS]\n");
        return 2;
    }
    const char *program = argv[1];
    long base = strtol(argv[2], NULL, 10);
    long n = strtol(argv[3], NULL, 10);
    long trials = argc == 5 ? strtol(argv[4], NULL, 10) : 1;
    if (base < 1 || n < 1 || base + n > 65536 || trials < 1) {
        fprintf(stderr, "spawnlimit: BASEPORT, N and TRIALS must be positive and ports at most 65535\n");
        return 2;
    }
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    if (pids == NULL) return 1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    /* The servers' "listening" line goes nowhere, as a supervisor would send it to a log. */
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    for (long t = 0; t < trials; t++) {
        double start = now_ms();
        for (long i = 0; i < n; i++) {
            char port[16];
            snprintf(port, sizeof port, "%ld", base + i);
            char *args[] = {(char *)program, port, NULL};
            int rc = posix_spawn(&pids[i], program, &actions, NULL, args, environ);
            if (rc != 0) {
                fprintf(stderr, "spawnlimit: cannot spawn %s: %s\n", program, strerror(rc));
                pids[i] = 0;
                stop_all(pids, i);
                return 1;
            }
        }
        for (long i = 0; i < n; i++) {
            while (!accepts((int)(base + i))) {
                if (now_ms() - start > 60000) {
                    fprintf(stderr, "spawnlimit: port %ld not accepting after 60 s\n", base + i);
                    stop_all(pids, n);
                    return 1;
                }
                struct timespec pause = {0, 50000}; /* 50 us */
                nanosleep(&pause, NULL);
            }
        }
        printf("%.3f\n", now_ms() - start);
        fflush(stdout);
        stop_all(pids, n);
    }
    posix_spawn_file_actions_destroy(&actions);
    free(pids);
    return 0;
}
