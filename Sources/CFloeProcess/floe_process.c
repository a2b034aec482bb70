#define _GNU_SOURCE
#include "floe_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int floe_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
               int output_fd, int report_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    // Threads of floed block signals (the runtime's and NIO's): the child must start with none
    // blocked and every handler back at its default, or it would ignore SIGTERM/SIGPIPE.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawnattr_setsigmask(&attributes, &none)) != 0) goto done;
    if ((rc = posix_spawnattr_setsigdefault(&attributes, &all)) != 0) goto done;
    if ((rc = posix_spawnattr_setflags(
             &attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID)) != 0)
        goto done;
    if ((rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) != 0) goto done;
    if ((rc = posix_spawn_file_actions_adddup2(&actions, output_fd, 1)) != 0) goto done;
    if ((rc = posix_spawn_file_actions_adddup2(&actions, output_fd, 2)) != 0) goto done;
    if (report_fd >= 0 && (rc = posix_spawn_file_actions_adddup2(&actions, report_fd, 3)) != 0) goto done;
    if ((rc = posix_spawn_file_actions_addclosefrom_np(&actions, report_fd >= 0 ? 4 : 3)) != 0) goto done;
    if (cwd != NULL && (rc = posix_spawn_file_actions_addchdir_np(&actions, cwd)) != 0) goto done;
    rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);
done:
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int floe_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int floe_read_report(int fd, int timeout_ms, int *kind, int *value) {
    char line[64];
    size_t used = 0;
    for (;;) {
        struct pollfd wanted = {.fd = fd, .events = POLLIN};
        int ready = poll(&wanted, 1, timeout_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) return ETIMEDOUT;
        if (ready < 0) return errno;
        ssize_t n = read(fd, line + used, sizeof line - 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EPIPE;
        used += (size_t)n;
        line[used] = 0;
        if (memchr(line, '\n', used) != NULL || used == sizeof line - 1) break;
    }
    char letter = 0;
    if (sscanf(line, "%c %d", &letter, value) != 2 || (letter != 'P' && letter != 'E')) return EPROTO;
    *kind = letter;
    return 0;
}

int floe_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int floe_pidfd_reap(int pidfd, int *exited, int *status) {
    siginfo_t info;
    for (;;) {
        info.si_pid = 0;
        if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED) == 0) break;
        if (errno != EINTR) return -1;
    }
    *exited = info.si_code == CLD_EXITED;
    *status = info.si_status;
    return 0;
}

int floe_exit_set_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int floe_exit_set_add(int set, int pidfd) {
    struct epoll_event event = {.events = EPOLLIN, .data.fd = pidfd};
    return epoll_ctl(set, EPOLL_CTL_ADD, pidfd, &event);
}

int floe_exit_set_wait(int set, int *pidfds, int max) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    for (;;) {
        int count = epoll_wait(set, events, max, -1);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) return count;
        for (int i = 0; i < count; i++) {
            pidfds[i] = events[i].data.fd;
            epoll_ctl(set, EPOLL_CTL_DEL, pidfds[i], NULL);
        }
        return count;
    }
}

void floe_name_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
