/*
 * tinyserver: the smallest HTTP/1.1 server floe's benchmark and end-to-end tests need.
 *
 *   tinyserver PORT
 *
 * Listens on 127.0.0.1:PORT (SO_REUSEADDR) at once and answers every request, whatever its method
 * or path, with "200 OK" and the body "ok\n". One process, one poll() loop, up to MAX_CONNS
 * connections at a time. Keep-alive: a connection stays open for further requests (pipelined ones
 * too) unless the request says "Connection: close" or is HTTP/1.0 without "Connection: keep-alive".
 * Request bodies are skipped when they have a Content-Length; chunked bodies are not supported
 * (the connection is closed). Exits 0 on SIGTERM or SIGINT, 1 on a startup error, 2 on bad usage.
 *
 * Build: cc -Wall -Wextra -O2 -o tinyserver tinyserver.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define BUF_SIZE 8192

struct conn {
    char buf[BUF_SIZE];
    size_t len;    /* bytes in buf */
    size_t skip;   /* body bytes still to discard */
};

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static const char reply_keep[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
static const char reply_close[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
static const char reply_bad[] =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* Finds header `name` (with the colon) in the header block; returns its value or NULL. */
static const char *header(const char *head, size_t head_len, const char *name, size_t *value_len) {
    size_t name_len = strlen(name);
    const char *p = memchr(head, '\n', head_len); /* skip the request line */
    const char *end = head + head_len;
    while (p != NULL && p + 1 < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL) eol = end;
        if ((size_t)(eol - line) > name_len && strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len;
            while (v < eol && (*v == ' ' || *v == '\t')) v++;
            const char *ve = eol;
            while (ve > v && isspace((unsigned char)ve[-1])) ve--;
            *value_len = (size_t)(ve - v);
            return v;
        }
        p = eol < end ? eol : NULL;
    }
    return NULL;
}

static int value_has(const char *v, size_t n, const char *token) {
    size_t t = strlen(token);
    for (size_t i = 0; i + t <= n; i++)
        if (strncasecmp(v + i, token, t) == 0) return 1;
    return 0;
}

/* Answers the complete requests in c->buf. Returns 0 to keep the connection, -1 to close it. */
static int serve(int fd, struct conn *c) {
    for (;;) {
        if (c->skip > 0) {
            size_t n = c->skip < c->len ? c->skip : c->len;
            memmove(c->buf, c->buf + n, c->len - n);
            c->len -= n;
            c->skip -= n;
            if (c->skip > 0) return 0;
        }
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (end == NULL) {
            if (c->len == BUF_SIZE) { /* headers too large */
                (void)send(fd, reply_bad, sizeof reply_bad - 1, MSG_NOSIGNAL);
                return -1;
            }
            return 0;
        }
        size_t head_len = (size_t)(end - c->buf) + 4;
        size_t vlen = 0;
        const char *v;
        int keep = memmem(c->buf, head_len, "HTTP/1.1\r\n", 10) != NULL;
        if ((v = header(c->buf, head_len, "Connection:", &vlen)) != NULL) {
            if (value_has(v, vlen, "close")) keep = 0;
            else if (value_has(v, vlen, "keep-alive")) keep = 1;
        }
        if (header(c->buf, head_len, "Transfer-Encoding:", &vlen) != NULL) keep = 0;
        size_t body = 0;
        if ((v = header(c->buf, head_len, "Content-Length:", &vlen)) != NULL) body = strtoul(v, NULL, 10);
        const char *reply = keep ? reply_keep : reply_close;
        size_t reply_len = keep ? sizeof reply_keep - 1 : sizeof reply_close - 1;
        /* The reply is tiny; if the socket cannot take all of it now, the client is not reading: drop it. */
        if (send(fd, reply, reply_len, MSG_NOSIGNAL) != (ssize_t)reply_len || !keep) return -1;
        memmove(c->buf, c->buf + head_len, c->len - head_len);
        c->len -= head_len;
        c->skip = body;
    }
}

int main(int argc, char **argv) {
    char *rest = NULL;
    long port = argc == 2 ? strtol(argv[1], &rest, 10) : 0;
    if (argc != 2 || rest == NULL || *rest != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "usage: tinyserver PORT   (1-65535; listens on 127.0.0.1:PORT)\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        fprintf(stderr, "tinyserver: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        return 1;
    }
    printf("tinyserver: listening on 127.0.0.1:%ld\n", port);
    fflush(stdout);

    static struct pollfd fds[MAX_CONNS + 1];
    static struct conn *conns[MAX_CONNS + 1];
    nfds_t n = 1;
    fds[0].fd = lfd;
    fds[0].events = POLLIN;
    while (!stopping) {
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR) continue;
            perror("tinyserver: poll");
            return 1;
        }
        for (nfds_t i = n; i-- > 1;) {
            if (fds[i].revents == 0) continue;
            struct conn *c = conns[i];
            ssize_t got = recv(fds[i].fd, c->buf + c->len, BUF_SIZE - c->len, 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got > 0) c->len += (size_t)got;
            if (got <= 0 || serve(fds[i].fd, c) < 0) {
                close(fds[i].fd);
                free(c);
                n--;
                fds[i] = fds[n];
                conns[i] = conns[n];
                fds[0].events = POLLIN; /* room again for a new connection */
            }
        }
        if (fds[0].revents & POLLIN) {
            while (n <= MAX_CONNS) {
                int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) break;
                struct conn *c = calloc(1, sizeof *c);
                if (c == NULL) {
                    close(cfd);
                    break;
                }
                fds[n].fd = cfd;
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                conns[n] = c;
                n++;
            }
            if (n > MAX_CONNS) fds[0].events = 0; /* full: leave new connections in the backlog */
        }
    }
    for (nfds_t i = 1; i < n; i++) {
        close(fds[i].fd);
        free(conns[i]);
    }
    close(lfd);
    return 0;
}
