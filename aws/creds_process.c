/* SPDX-License-Identifier: Apache-2.0 */
/* credential_process (docs/facts.md C8): runs the profile's command with
 * /bin/sh -c, reads stdout (capped) and stderr (first line kept for the error
 * message) until exit or a timeout, and validates the Version 1 JSON.
 * AWS: whoever can write the config file chooses this command. */
#include "aws/creds_internal.h"

#include <jansson.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROCESS_MAX_STDOUT (64 * 1024)
#define PROCESS_MAX_STDERR 4096
#define PROCESS_TIMEOUT_MS 60000

typedef struct child_io {
    char out[PROCESS_MAX_STDOUT + 1];
    size_t out_len;
    int out_too_big;
    char errb[PROCESS_MAX_STDERR + 1];
    size_t err_len;
} child_io;

static pid_t spawn(const char *command, int out_fd[2], int err_fd[2])
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* Child: own process group so a timeout can stop its children too. */
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, STDIN_FILENO);
    dup2(out_fd[1], STDOUT_FILENO);
    dup2(err_fd[1], STDERR_FILENO);
    close(out_fd[0]);
    close(err_fd[0]);
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
}

/* Appends what is readable from fd; returns 0 at EOF, 1 while open. */
static int drain(int fd, char *buf, size_t cap, size_t *len, int *too_big)
{
    char tmp[4096];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (n == 0)
        return 0;
    size_t room = cap - *len;
    size_t take = (size_t)n < room ? (size_t)n : room;
    memcpy(buf + *len, tmp, take);
    *len += take;
    if (take < (size_t)n && too_big)
        *too_big = 1;
    OPENSSL_cleanse(tmp, sizeof tmp);
    return 1;
}

/* Reads both pipes until EOF or the deadline. Returns 0 or -1 on timeout. */
static int collect(int out_fd, int err_fd, child_io *io)
{
    int64_t deadline = gd_time_monotonic_ms() + PROCESS_TIMEOUT_MS;
    struct pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        int64_t left = deadline - gd_time_monotonic_ms();
        if (left <= 0)
            return -1;
        int r = poll(p, 2, (int)left);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        if (p[0].revents && !drain(p[0].fd, io->out, PROCESS_MAX_STDOUT, &io->out_len,
                                   &io->out_too_big)) {
            p[0].fd = -1;
            open_fds--;
        }
        if (p[1].revents && !drain(p[1].fd, io->errb, PROCESS_MAX_STDERR, &io->err_len, NULL)) {
            p[1].fd = -1;
            open_fds--;
        }
    }
    return 0;
}

/* Runs command; *status is the wait status. 0, or GD_E_CREDS with err set. */
static int run_command(const char *command, const char *profile, child_io *io, int *status,
                       gd_err *err)
{
    int out_fd[2], err_fd[2];
    if (pipe(out_fd) != 0)
        return gd_err_set(err, GD_E_CREDS, "credential_process of profile %s: pipe: %s", profile,
                          strerror(errno));
    if (pipe(err_fd) != 0) {
        close(out_fd[0]);
        close(out_fd[1]);
        return gd_err_set(err, GD_E_CREDS, "credential_process of profile %s: pipe: %s", profile,
                          strerror(errno));
    }
    pid_t pid = spawn(command, out_fd, err_fd);
    close(out_fd[1]);
    close(err_fd[1]);
    int rc = 0;
    if (pid < 0) {
        rc = gd_err_set(err, GD_E_CREDS, "credential_process of profile %s: fork: %s", profile,
                        strerror(errno));
    } else {
        if (collect(out_fd[0], err_fd[0], io) != 0) {
            kill(-pid, SIGKILL);
            rc = gd_err_set(err, GD_E_CREDS,
                            "credential_process of profile %s did not finish within %d s",
                            profile, PROCESS_TIMEOUT_MS / 1000);
        }
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    close(out_fd[0]);
    close(err_fd[0]);
    return rc;
}

static int exit_error(const char *profile, int status, child_io *io, gd_err *err)
{
    io->errb[io->err_len] = '\0';
    size_t first = strcspn(io->errb, "\r\n");
    io->errb[first] = '\0';
    if (WIFEXITED(status))
        return gd_err_set(err, GD_E_CREDS,
                          "credential_process of profile %s exited with status %d%s%.200s",
                          profile, WEXITSTATUS(status), first ? ": " : "", io->errb);
    return gd_err_set(err, GD_E_CREDS, "credential_process of profile %s was killed by signal %d",
                      profile, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const char *str_field(json_t *root, const char *name)
{
    json_t *v = json_object_get(root, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int parse_output(const char *profile, const char *text, size_t len, gd_creds *out,
                        gd_err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return gd_err_set(err, GD_E_CREDS,
                          "credential_process of profile %s: output is not a JSON object", profile);
    }
    int rc;
    json_t *ver = json_object_get(root, "Version");
    const char *akid = str_field(root, "AccessKeyId");
    const char *secret = str_field(root, "SecretAccessKey");
    const char *token = str_field(root, "SessionToken");
    const char *exp = str_field(root, "Expiration");
    int64_t expires = 0;
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        rc = gd_err_set(err, GD_E_CREDS,
                        "credential_process of profile %s: unsupported Version (want 1)", profile);
    else if (!akid || !*akid)
        rc = gd_err_set(err, GD_E_CREDS, "credential_process of profile %s: no AccessKeyId",
                        profile);
    else if (!secret || !*secret)
        rc = gd_err_set(err, GD_E_CREDS, "credential_process of profile %s: no SecretAccessKey",
                        profile);
    else if (exp && gd_time_parse_iso(exp, &expires) != 0)
        rc = gd_err_set(err, GD_E_CREDS,
                        "credential_process of profile %s: Expiration is not RFC 3339", profile);
    else
        rc = gd_creds_set(out, akid, secret, token, expires, err);
    /* Jansson does not zero its strings: scrub the secrets in place. */
    if (secret)
        OPENSSL_cleanse((char *)secret, strlen(secret));
    if (token)
        OPENSSL_cleanse((char *)token, strlen(token));
    json_decref(root);
    return rc;
}

int gd_creds_process_fetch(const char *command, const char *profile, gd_creds *out, gd_err *err)
{
    child_io *io = calloc(1, sizeof *io);
    if (!io)
        return gd_err_set(err, GD_E_NOMEM, "out of memory");
    int status = 0;
    int rc = run_command(command, profile, io, &status, err);
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        rc = exit_error(profile, status, io, err);
    else if (rc == 0 && io->out_too_big)
        rc = gd_err_set(err, GD_E_CREDS,
                        "credential_process of profile %s printed more than 64 KiB", profile);
    else if (rc == 0)
        rc = parse_output(profile, io->out, io->out_len, out, err);
    if (rc == 0)
        snprintf(out->source, sizeof out->source, "credential_process of profile %s", profile);
    OPENSSL_cleanse(io, sizeof *io);
    free(io);
    return rc;
}
