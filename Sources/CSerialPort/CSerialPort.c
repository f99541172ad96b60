#define _GNU_SOURCE
#include "CSerialPort.h"
#include <fcntl.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>

int csp_open_pty_master(void) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int csp_pty_slave_name(int master, char *buffer, unsigned long length) {
    return ptsname_r(master, buffer, length);
}
