#ifndef SND_LINK_H
#define SND_LINK_H
/*
 * The device side of the serial link (PROTOCOL.md sections 4, 5, 8, 12): handshake, liveness, RESET, frame
 * transmission. It knows nothing of MQTT-SN: the payload of every MQTTSN frame goes to cb.payload, everything else
 * that happens to cb.event (SND_EV_LINK_UP, _REJECTED, _LINK_DOWN, _FRAME_ERROR, _CONSOLE, _LINK_PONG).
 *
 *   device                                   gateway
 *     | --- HELLO (every 1 s) -------------->  |
 *     | <-- HELLO-ACK (version, max, K) -----  |   up: cb.event(SND_EV_LINK_UP)
 *     | <== MQTTSN frames both ways ========>  |   payloads: cb.payload(msg, len)
 *     | --- LINK-PING after 2K of silence -->  |   3K of silence, or RESET: SND_EV_LINK_DOWN, HELLO again
 */
#include "snd_codec.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SND_DEVICE_ID_MAX 16u
#define SND_FW_TEXT_MAX 32u
#define SND_PING_TOKEN_MAX 8u

#ifndef SND_HELLO_RETRY_MS
#define SND_HELLO_RETRY_MS 1000u
#endif

typedef struct snd_port {
    /* Writes all bytes to the serial line (blocking is fine). Each frame is written with one call. */
    void (*write)(void *ctx, const uint8_t *bytes, size_t len);
    /* Milliseconds from any origin; wrapping at 2^32 is handled. */
    uint32_t (*millis)(void *ctx);
    void *ctx;
} snd_port;

typedef struct snd_link_callbacks {
    /* One MQTT-SN message (the payload of an MQTTSN frame, or a raw-mode message); valid during the call only. */
    void (*payload)(void *ctx, const uint8_t *msg, size_t len);
    /* Link events. */
    snd_event_fn event;
    void *ctx;
} snd_link_callbacks;

typedef struct snd_link_config {
    snd_port port;
    snd_link_callbacks cb;
    uint8_t *rx_buf;                    /* SND_RX_BUF_SIZE(max_frame) bytes */
    size_t rx_size;
    uint8_t *tx_buf;                    /* SND_TX_BUF_SIZE(max_frame) bytes */
    size_t tx_size;
    uint16_t max_frame;                 /* 64..1024 decoded bytes */
    const uint8_t *device_id;           /* 1..16 bytes, stable across reboots (chip id, MAC) */
    uint8_t device_id_len;
    const char *fw_name;                /* 0..32 bytes */
    const char *fw_version;             /* 0..32 bytes */
    uint8_t raw_mqttsn;                 /* 1: compatibility mode, raw MQTT-SN with its length byte, no link layer */
    uint8_t version_min, version_max;   /* 0 means SND_PROTOCOL_VERSION; for tests of version negotiation */
    uint8_t manual_hello;               /* 1: init does not send HELLO; the first snd_link_hello() starts the link */
} snd_link_config;

typedef enum { SND_LINK_IDLE, SND_LINK_HELLO_SENT, SND_LINK_UP, SND_LINK_REJECTED } snd_link_state;

typedef struct snd_link {
    snd_link_config cfg;
    snd_deframer deframer;
    snd_link_state state;
    uint8_t version;
    uint16_t keepalive_s;
    uint16_t link_max_frame;
    uint32_t last_rx_ms;
    uint32_t last_tx_ping_ms;
    uint32_t last_hello_ms;
    size_t raw_len;                     /* compatibility mode receive state */
    size_t raw_expected;
} snd_link;

/* Initialises and, unless raw_mqttsn or manual_hello, sends HELLO. Returns SND_OK or SND_ERR_ARGUMENT. */
int snd_link_init(snd_link *link, const snd_link_config *cfg);
/* Bytes read from the serial line; callbacks run from inside this call. */
void snd_link_feed(snd_link *link, const uint8_t *bytes, size_t len);
/* Timers: HELLO retry, link keepalive. */
void snd_link_poll(snd_link *link);
/* Sends HELLO now (also done at init and after link loss; after REJECT only when the application calls it). */
int snd_link_hello(snd_link *link);
/* 1 when MQTTSN frames may be sent (always in compatibility mode). */
int snd_link_is_up(const snd_link *link);
/* Sends LINK-PING with an optional token (0..8 bytes). */
int snd_link_ping(snd_link *link, const uint8_t *token, size_t len);
/* Sends any frame; MQTTSN frames only while up. */
int snd_link_send(snd_link *link, uint8_t type, const uint8_t *payload, size_t len);
/* Where the next payload is built in place (no copy); *cap is the largest payload the link takes now. */
uint8_t *snd_link_tx_area(snd_link *link, size_t *cap);
/* Frames and writes the len payload bytes already built at snd_link_tx_area(). */
int snd_link_send_built(snd_link *link, uint8_t type, size_t len);
uint32_t snd_link_millis(const snd_link *link);

#ifdef __cplusplus
}
#endif
#endif
