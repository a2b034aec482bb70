// floe-monitor: the small parent floed puts between itself and each container, as conmon does for
// CRI-O: it outlives floed, so a container keeps running and its exit status is not lost when floed
// stops, crashes or restarts.
//
//     floe-monitor RUN_DIR EXECUTABLE ARGV0 [ARG...]
//
// Started by floed in a new session, with the container's environment, working directory, stdin
// (/dev/null), stdout and stderr (its log file), and a pipe on descriptor 3. It:
//   1. becomes the child subreaper of what it starts (orphans of the container are reaped here, not
//      by init);
//   2. forks the container: a new session (it leads its own process group, which floed signals),
//      every signal back at its default, nothing of the monitor's left open; then execs it;
//   3. writes RUN_DIR/pid ("MONITOR_PID CONTAINER_PID START_TICKS\n", atomically) and then answers floed on
//      descriptor 3: "P CONTAINER_PID\n", or "E ERRNO\n" when the exec failed;
//   4. waits for the container, and writes RUN_DIR/exit atomically: "exit CODE SECONDS\n" or
//      "signal NUMBER SECONDS\n" (the real time it ended, in seconds since the epoch);
//   5. kills what is left of the container's process group (the container ends with its main
//      process, as in a PID namespace), reaps what it can, and exits.
//
// floed reads the pid file and the exit file of every run a previous floed left: that is how it
// adopts containers that still run and learns how the others ended. The monitor ignores the signals
// a terminal or a service manager sends (SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGPIPE): floed stops a
// container by signalling the container's process group, never the monitor.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int ignored[] = {SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGPIPE};

static int write_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, text, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        text += n;
        length -= (size_t)n;
    }
    return 0;
}

// Writes DIR/NAME through DIR/NAME.tmp and a rename, so a reader sees the whole text or nothing.
static int write_file(const char *dir, const char *name, const char *text) {
    char path[PATH_MAX], temporary[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return -1;
    if (snprintf(temporary, sizeof temporary, "%s/%s.tmp", dir, name) >= (int)sizeof temporary) return -1;
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    int rc = write_all(fd, text, strlen(text));
    if (close(fd) != 0) rc = -1;
    if (rc == 0) rc = rename(temporary, path);
    return rc;
}

// The start time of process `pid` (field 22 of /proc/PID/stat, clock ticks since boot), 0 when it
// cannot be read: with the pid, what tells the container from a later process that reuses its pid.
static unsigned long long start_ticks(pid_t pid) {
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = 0;
    char *field = strrchr(text, ')');  // the command may hold spaces and parentheses
    if (field == NULL) return 0;
    field += 2;  // field 3, the state
    for (int i = 3; i < 22 && field != NULL; i++) {
        field = strchr(field, ' ');
        if (field != NULL) field++;
    }
    return field != NULL ? strtoull(field, NULL, 10) : 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: floe-monitor RUN_DIR EXECUTABLE ARGV0 [ARG...] (started by floed)\n");
        return 2;
    }
    const char *run_dir = argv[1];
    const char *executable = argv[2];
    char **container_argv = argv + 3;

    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    int report = 3;
    if (fcntl(report, F_GETFD) < 0) report = -1;
    else fcntl(report, F_SETFD, FD_CLOEXEC);

    // The child tells the monitor why its exec failed through this pipe (closed by a successful exec).
    int failure[2];
    if (pipe2(failure, O_CLOEXEC) != 0) return 1;
    pid_t container = fork();
    if (container < 0) {
        char line[32];
        snprintf(line, sizeof line, "E %d\n", errno);
        if (report >= 0) write_all(report, line, strlen(line));
        return 1;
    }
    if (container == 0) {
        setsid();
        for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_DFL);
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        execv(executable, container_argv);
        int error = errno;
        write_all(failure[1], (const char *)&error, sizeof error);
        _exit(127);
    }
    close(failure[1]);
    int error = 0;
    ssize_t got;
    do got = read(failure[0], &error, sizeof error);
    while (got < 0 && errno == EINTR);
    close(failure[0]);
    char line[64];
    if (got == (ssize_t)sizeof error) {
        waitpid(container, NULL, 0);
        snprintf(line, sizeof line, "E %d\n", error);
        if (report >= 0) write_all(report, line, strlen(line));
        return 1;
    }
    // The container's command line is the container's: blank it from the monitor's own, so that `ps`
    // and pgrep show "floe-monitor RUN_DIR" (the arguments are contiguous; the child has its copy).
    char *end = argv[argc - 1] + strlen(argv[argc - 1]);
    memset(argv[2], 0, (size_t)(end - argv[2]));
    snprintf(line, sizeof line, "%d %d %llu\n", (int)getpid(), (int)container, start_ticks(container));
    if (write_file(run_dir, "pid", line) != 0) {
        // Without its pid file the run could not be found again after a restart of floed: refuse it.
        int saved = errno;
        kill(container, SIGKILL);
        waitpid(container, NULL, 0);
        snprintf(line, sizeof line, "E %d\n", saved);
        if (report >= 0) write_all(report, line, strlen(line));
        return 1;
    }
    snprintf(line, sizeof line, "P %d\n", (int)container);
    if (report >= 0) {
        write_all(report, line, strlen(line));
        close(report);
    }

    // The container's end is observed without reaping it (WNOWAIT): its zombie keeps its pid, and so
    // its process group id, reserved until the group has been killed below. Other children (orphans
    // that came here as to their subreaper) are reaped as they end.
    siginfo_t info;
    for (;;) {
        memset(&info, 0, sizeof info);
        if (waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR) continue;
            return 1;  // ECHILD: cannot happen while the container runs
        }
        if (info.si_pid == container) break;
        waitpid(info.si_pid, NULL, 0);
    }
    int status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (WIFSIGNALED(status))
        snprintf(line, sizeof line, "signal %d %lld.%09ld\n", WTERMSIG(status), (long long)now.tv_sec, now.tv_nsec);
    else
        snprintf(line, sizeof line, "exit %d %lld.%09ld\n", WEXITSTATUS(status), (long long)now.tv_sec, now.tv_nsec);
    int written = write_file(run_dir, "exit", line);
    // The container ended with its main process, as a container's PID namespace does: what is left
    // of its process group goes too (it was started in a session of its own, so the group is only
    // its own processes), and the orphans that came here as to their subreaper are reaped.
    kill(-container, SIGKILL);
    waitpid(container, NULL, 0);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    return written == 0 ? 0 : 1;
}
