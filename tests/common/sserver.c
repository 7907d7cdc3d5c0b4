#include "sserver.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int sserver_log_has(const sserver_t *s, const char *text)
{
    FILE *f = fopen(s->log, "r");
    char line[1024];
    int found = 0;

    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof(line), f) != NULL)
        found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

int sserver_start(sserver_t *s, const char *log_path, const char *const *args)
{
    static unsigned next;
    const char *argv[48];
    char accept[32];
    int argc = 0;

    memset(s, 0, sizeof(*s));
    snprintf(s->log, sizeof(s->log), "%s", log_path);
    argv[argc++] = "openssl";
    argv[argc++] = "s_server";
    argv[argc++] = "-www";
    argv[argc++] = "-accept";
    argv[argc++] = accept;
    for (int i = 0; args[i] != NULL && argc < 47; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    for (int attempt = 0; attempt < 30; attempt++) {
        s->port = (uint16_t)(20000 + ((unsigned)getpid() * 37u + (unsigned)time(NULL) + next++ * 101u) % 40000u);
        snprintf(accept, sizeof(accept), "127.0.0.1:%u", (unsigned)s->port);
        /* Emptied before the fork: an ACCEPT of an earlier server with this log must not count. */
        int log_fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (log_fd >= 0)
            close(log_fd);
        s->pid = fork();
        if (s->pid < 0)
            break;
        if (s->pid == 0) {
            int fd = open(s->log, O_WRONLY | O_CREAT, 0600), null = open("/dev/null", O_RDONLY);
            dup2(null, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            execvp("openssl", (char *const *)argv);
            _exit(127);
        }
        /* Listening when it says ACCEPT; a port in use makes it exit. */
        for (int i = 0; i < 500; i++) {
            int status;
            if (sserver_log_has(s, "ACCEPT"))
                return 0;
            if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
                s->pid = 0;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
                    fprintf(stderr, "cannot run openssl (make deps installs it)\n");
                    return -1;
                }
                break;
            }
            usleep(10000);
        }
        sserver_stop(s);
    }
    fprintf(stderr, "openssl s_server did not start: see %s\n", s->log);
    return -1;
}

void sserver_stop(sserver_t *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}
