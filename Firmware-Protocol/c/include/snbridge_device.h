#ifndef SNBRIDGE_DEVICE_H
#define SNBRIDGE_DEVICE_H
/* The snbridge reference device library: see ../PROTOCOL.md. */
#define SND_PROTOCOL_VERSION 1
#endif
