#ifndef SNBRIDGE_DEVICE_H
#define SNBRIDGE_DEVICE_H
/*
 * The snbridge reference device library (C99, no malloc, no dependency beyond the C standard library).
 * Wire protocol: PROTOCOL.md in the snbridge repository (Firmware-Protocol/). Every buffer is provided by the
 * caller; the port layer is two callbacks.
 *
 * Three layers, each usable alone:
 *
 *   snd_codec.h   CRC-16, COBS, frames, the deframer
 *   snd_link.h    snd_link: handshake, liveness, RESET; hands up MQTTSN payloads and link events
 *   snd_client.h  snd_client: MQTT-SN v1.2 over the small snd_client_io interface
 *
 * and this header, which wires a link and a client into one snd_device with one event callback:
 *
 *     static uint8_t rx[SND_RX_BUF_SIZE(256)], tx[SND_TX_BUF_SIZE(256)], pending[64];
 *     static uint8_t topics[SND_TOPIC_STORAGE_SIZE(4, 64)];
 *     static snd_device dev;
 *     snd_device_config cfg = { ... };           // cfg.link: port, buffers, identity; cfg.client: topics, pending
 *     snd_device_init(&dev, &cfg);               // sends HELLO
 *     loop: snd_device_feed(&dev, bytes, n);     // whatever the UART received
 *           snd_device_poll(&dev);               // timers: HELLO retry, link keepalive, retransmissions
 *     on SND_EV_LINK_UP: snd_client_connect(&dev.client, "my-board", 60, 1);
 */
#include "snd_link.h"
#include "snd_client.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct snd_device_config {
    snd_link_config link;       /* link.cb is set by snd_device_init */
    snd_client_config client;   /* client.io and client.on_event are set by snd_device_init */
    snd_event_fn on_event;      /* every event of both layers */
    void *event_ctx;
} snd_device_config;

typedef struct snd_device {
    snd_link link;
    snd_client client;
    snd_event_fn on_event;
    void *event_ctx;
} snd_device;

/* Initialises both layers and, unless raw_mqttsn or manual_hello, sends HELLO. SND_OK or SND_ERR_ARGUMENT. */
int snd_device_init(snd_device *dev, const snd_device_config *cfg);
/* Bytes read from the serial line; events are delivered from inside this call. */
void snd_device_feed(snd_device *dev, const uint8_t *bytes, size_t len);
/* Runs the timers of both layers. Call often, e.g. every loop iteration. */
void snd_device_poll(snd_device *dev);

#ifdef __cplusplus
}
#endif
#endif
