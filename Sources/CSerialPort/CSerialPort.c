#define _GNU_SOURCE
#include "CSerialPort.h"
#include <fcntl.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <termios.h>
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

static speed_t speed_for(unsigned long baud) {
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 576000: return B576000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 1500000: return B1500000;
    case 2000000: return B2000000;
    default: return 0;
    }
}

int csp_configure_raw(int fd, unsigned long baud) {
    struct termios tio;
    speed_t speed = speed_for(baud);
    if (speed == 0) {
        errno = EINVAL;
        return -1;
    }
    if (tcgetattr(fd, &tio) != 0) return -1;
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)(HUPCL | CRTSCTS | CSTOPB | PARENB);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0) return -1;
    return tcsetattr(fd, TCSANOW, &tio);
}

int csp_set_exclusive(int fd) { return ioctl(fd, TIOCEXCL); }

static int to_tiocm(int bits) {
    return ((bits & CSP_MODEM_DTR) ? TIOCM_DTR : 0) | ((bits & CSP_MODEM_RTS) ? TIOCM_RTS : 0);
}

int csp_modem_get(int fd, int *bits) {
    int status = 0;
    if (ioctl(fd, TIOCMGET, &status) != 0) return -1;
    *bits = ((status & TIOCM_DTR) ? CSP_MODEM_DTR : 0) | ((status & TIOCM_RTS) ? CSP_MODEM_RTS : 0);
    return 0;
}

int csp_modem_set(int fd, int dtr, int rts) {
    int status = 0;
    if (ioctl(fd, TIOCMGET, &status) != 0) return -1;
    status &= ~(TIOCM_DTR | TIOCM_RTS);
    if (dtr) status |= TIOCM_DTR;
    if (rts) status |= TIOCM_RTS;
    return ioctl(fd, TIOCMSET, &status);
}

int csp_modem_assert(int fd, int bits) {
    int status = to_tiocm(bits);
    return ioctl(fd, TIOCMBIS, &status);
}

int csp_modem_clear(int fd, int bits) {
    int status = to_tiocm(bits);
    return ioctl(fd, TIOCMBIC, &status);
}
