#ifndef SNBRIDGE_CSERIALPORT_H
#define SNBRIDGE_CSERIALPORT_H

/// Opens a new pseudo-terminal master (O_RDWR | O_NOCTTY | O_CLOEXEC), grants and unlocks it.
/// Returns the master descriptor or -1 with errno set.
int csp_open_pty_master(void);

/// Writes the slave device path of `master` into `buffer`. Returns 0 or an errno value.
int csp_pty_slave_name(int master, char *buffer, unsigned long length);

#endif
