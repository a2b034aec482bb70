#ifndef FLOE_PROCESS_H
#define FLOE_PROCESS_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated) in a new session, with every signal at its
/// default disposition and none blocked, stdin from /dev/null, stdout and stderr on `output_fd`, no
/// other descriptor inherited but `report_fd` as descriptor 3 (when >= 0), in directory `cwd` (NULL:
/// floed's). Returns 0 and sets `*pid`, or the errno of the failure (exec and chdir failures included:
/// glibc's posix_spawn reports them).
int floe_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
               int output_fd, int report_fd);

/// A pipe whose two ends close on exec. Returns 0, or -1 and errno.
int floe_pipe(int fds[2]);

/// Reads floe-monitor's one-line answer from `fd` within `timeout_ms`: sets `*kind` to 'P' (`*value` is
/// the container's pid) or 'E' (`*value` is the errno of its failed exec). Returns 0, or an errno
/// (ETIMEDOUT; EPIPE when the monitor closed the pipe without answering; EPROTO for a garbled line).
int floe_read_report(int fd, int timeout_ms, int *kind, int *value);

/// A descriptor that becomes readable when process `pid` (a child) ends, or -1 and errno.
int floe_pidfd_open(pid_t pid);

/// Reaps the ended child behind `pidfd`: `*exited` 1 with `*status` its exit code, or 0 with `*status`
/// the signal that ended it. Returns 0, or -1 and errno (EAGAIN-free: call it once readable).
int floe_pidfd_reap(int pidfd, int *exited, int *status);

/// An epoll set for pidfds, or -1 and errno.
int floe_exit_set_create(void);

/// Adds `pidfd` to the set (readable when its process ends). Returns 0, or -1 and errno.
int floe_exit_set_add(int set, int pidfd);

/// Waits until at least one pidfd of the set is readable; fills `pidfds` with up to `max` of them,
/// each removed from the set, and returns how many.
int floe_exit_set_wait(int set, int *pidfds, int max);

/// Names the calling thread (what `ps -L` and perf show).
void floe_name_thread(const char *name);

#endif
