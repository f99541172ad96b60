#ifndef SNBRIDGE_CSERIALPORT_H
#define SNBRIDGE_CSERIALPORT_H

/// Opens a new pseudo-terminal master (O_RDWR | O_NOCTTY | O_CLOEXEC), grants and unlocks it.
/// Returns the master descriptor or -1 with errno set.
int csp_open_pty_master(void);

/// Writes the slave device path of `master` into `buffer`. Returns 0 or an errno value.
int csp_pty_slave_name(int master, char *buffer, unsigned long length);

/// Modem control lines, as bits for the csp_modem_* functions.
enum {
    CSP_MODEM_DTR = 0x002,
    CSP_MODEM_RTS = 0x004
};

/// Puts a tty in raw 8N1 mode at `baud` (cfmakeraw; CLOCAL and CREAD set; HUPCL and CRTSCTS cleared, so closing
/// the port does not drop DTR and reset a board). Returns 0, or -1 with errno set (EINVAL: unsupported baud).
int csp_configure_raw(int fd, unsigned long baud);

/// Takes exclusive use of the tty (TIOCEXCL): other non-root opens fail with EBUSY. Returns 0 or -1 with errno.
int csp_set_exclusive(int fd);

/// TIOCMGET: writes the CSP_MODEM_* bits that are asserted. Returns 0 or -1 with errno (ENOTTY/EINVAL on a pty).
int csp_modem_get(int fd, int *bits);
/// TIOCMSET: asserts exactly the given lines among DTR and RTS in one ioctl (no intermediate state), keeping others.
int csp_modem_set(int fd, int dtr, int rts);
/// TIOCMBIS: asserts the given CSP_MODEM_* bits.
int csp_modem_assert(int fd, int bits);
/// TIOCMBIC: clears the given CSP_MODEM_* bits.
int csp_modem_clear(int fd, int bits);

#endif
