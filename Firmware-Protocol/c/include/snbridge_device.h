#ifndef SNBRIDGE_DEVICE_H
#define SNBRIDGE_DEVICE_H
/*
 * The snbridge reference device library (C99, no malloc, no dependency beyond the C standard library).
 * Wire protocol: ../../PROTOCOL.md. Every buffer is provided by the caller; the port layer is two callbacks.
 *
 * Typical firmware:
 *
 *     static uint8_t rx[SND_RX_BUF_SIZE(256)], tx[SND_TX_BUF_SIZE(256)], pending[64];
 *     static snd_topic topics[8];
 *     static snd_device dev;
 *     snd_config cfg = { ...port, on_event, buffers, identity... };
 *     snd_init(&dev, &cfg);               // sends HELLO
 *     loop: snd_feed(&dev, bytes, n);      // whatever the UART received
 *           snd_poll(&dev);                // timers: HELLO retry, link keepalive, QoS 1 retry
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SND_PROTOCOL_VERSION 1
#define SND_FRAME_HARD_MAX 1024u   /* decoded bytes: type + payload + CRC */
#define SND_FRAME_MIN_MAX 64u      /* smallest maximum a side may announce */
#define SND_DEVICE_ID_MAX 16u
#define SND_FW_TEXT_MAX 32u
#define SND_PING_TOKEN_MAX 8u
#define SND_NODE_ID_MAX 16u
#define SND_CONSOLE_LINE_MAX 256u

#ifndef SND_HELLO_RETRY_MS
#define SND_HELLO_RETRY_MS 1000u
#endif
#ifndef SND_RETRY_MS
#define SND_RETRY_MS 5000u         /* MQTT-SN Tretry for QoS 1 PUBLISH */
#endif
#ifndef SND_RETRY_COUNT
#define SND_RETRY_COUNT 3u         /* MQTT-SN Nretry */
#endif
#ifndef SND_TOPIC_NAME_MAX
#define SND_TOPIC_NAME_MAX 32u     /* including the terminating NUL */
#endif

/* Largest COBS encoding of n bytes (no delimiters). */
#define SND_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)
/* Receive buffer for frames of at most max_frame decoded bytes. */
#define SND_RX_BUF_SIZE(max_frame) (SND_COBS_MAX_ENCODED(max_frame) + 1u)
/* Transmit buffer: frames are built and COBS-encoded in place. */
#define SND_TX_BUF_SIZE(max_frame) ((max_frame) + (max_frame) / 254u + 4u)

/* Frame types (PROTOCOL.md section 3). */
enum {
    SND_FRAME_HELLO = 0x01,
    SND_FRAME_HELLO_ACK = 0x02,
    SND_FRAME_REJECT = 0x03,
    SND_FRAME_LINK_PING = 0x04,
    SND_FRAME_LINK_PONG = 0x05,
    SND_FRAME_RESET = 0x06,
    SND_FRAME_MQTTSN = 0x10
};

/* REJECT reasons. */
enum {
    SND_REJECT_UNSUPPORTED_VERSION = 0x01,
    SND_REJECT_MALFORMED_HELLO = 0x02,
    SND_REJECT_FRAME_TOO_SMALL = 0x03,
    SND_REJECT_NOT_ALLOWED = 0x04
};

/* Results: 0 or positive is success; negative values are errors. */
typedef enum {
    SND_OK = 0,
    SND_ERR_COBS = -1,
    SND_ERR_TOO_SHORT = -2,
    SND_ERR_BAD_CRC = -3,
    SND_ERR_UNKNOWN_TYPE = -4,
    SND_ERR_OVERSIZE = -5,
    SND_ERR_NOT_LINKED = -6,
    SND_ERR_ARGUMENT = -7,
    SND_ERR_BUSY = -8,         /* a QoS 1 PUBLISH, REGISTER or SUBSCRIBE is already in flight */
    SND_ERR_NO_ROOM = -9,      /* topic table full */
    SND_ERR_MALFORMED = -10,   /* a known frame or MQTT-SN message with an invalid layout */
    SND_ERR_TIMEOUT = -11      /* retries exhausted */
} snd_status;

/* Returns a constant description of a snd_status (just "ok"/"error" on AVR unless SND_STATUS_TEXT=1). */
const char *snd_status_text(int status);

/* ---- CRC-16/CCITT-FALSE and COBS ---- */

uint16_t snd_crc16_update(uint16_t crc, uint8_t byte);
uint16_t snd_crc16(const uint8_t *data, size_t len);
/* Encodes len bytes into out (no delimiters). Returns the encoded length, or 0 if cap is too small. */
size_t snd_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Decodes; in and out may be the same buffer. Returns the decoded length, or SND_ERR_COBS / SND_ERR_OVERSIZE. */
long snd_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Encodes a whole frame with both 0x00 delimiters. Returns the wire length, or 0 if cap is too small. */
size_t snd_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap);
/* 1 for the frame types of this protocol version. */
int snd_frame_type_known(uint8_t type);

/* ---- Incremental deframer (PROTOCOL.md section 2.5) ---- */

typedef struct snd_deframer_callbacks {
    /* A valid frame; payload points into the deframer's buffer and is valid during the call only. */
    void (*frame)(void *ctx, uint8_t type, const uint8_t *payload, size_t len);
    /* Bytes outside frames (console text), in order; may be called several times per line. */
    void (*console)(void *ctx, const uint8_t *bytes, size_t len);
    /* A bad frame: SND_ERR_COBS, SND_ERR_TOO_SHORT, SND_ERR_BAD_CRC, SND_ERR_UNKNOWN_TYPE or SND_ERR_OVERSIZE. */
    void (*error)(void *ctx, int status);
    void *ctx;
} snd_deframer_callbacks;

typedef struct snd_deframer {
    snd_deframer_callbacks cb;
    uint8_t *buf;
    size_t cap;          /* encoded bytes that fit in buf */
    size_t len;
    size_t max_frame;    /* decoded cap currently enforced */
    uint8_t expect_frame;
    uint8_t overflow;    /* 0: buffering; 1: skipping an oversize frame; 2: streaming console text */
} snd_deframer;

/* buf must hold SND_RX_BUF_SIZE(max_frame) bytes. */
void snd_deframer_init(snd_deframer *d, uint8_t *buf, size_t buf_size, size_t max_frame,
                       const snd_deframer_callbacks *cb);
void snd_deframer_push(snd_deframer *d, uint8_t byte);
void snd_deframer_reset(snd_deframer *d);

/* ---- The device ---- */

typedef struct snd_port {
    /* Writes all bytes to the serial line (blocking is fine). Each frame is written with one call. */
    void (*write)(void *ctx, const uint8_t *bytes, size_t len);
    /* Milliseconds from any origin; wrapping at 2^32 is handled. */
    uint32_t (*millis)(void *ctx);
    void *ctx;
} snd_port;

typedef enum {
    SND_EV_LINK_UP,         /* version, keepalive (s), max_frame (link maximum) */
    SND_EV_REJECTED,        /* rc = reason, version = gateway max, qos = gateway min */
    SND_EV_LINK_DOWN,       /* rc: 0 silence, 1 RESET re-hello, 2 RESET reboot requested */
    SND_EV_FRAME_ERROR,     /* rc = -status of a bad incoming frame */
    SND_EV_CONSOLE,         /* data/len: bytes outside frames received from the gateway (unusual) */
    SND_EV_CONNACK,         /* rc */
    SND_EV_WILL_REQUESTED,  /* the gateway asked for the will (answered automatically when configured) */
    SND_EV_REGACK,          /* topic, topic_id, msg_id, rc */
    SND_EV_PUBACK,          /* topic_id, msg_id, rc */
    SND_EV_PUBLISH_TIMEOUT, /* topic_id, msg_id: no PUBACK after SND_RETRY_COUNT retries */
    SND_EV_SUBACK,          /* topic_id, msg_id, qos, rc */
    SND_EV_PUBLISH,         /* topic_id, topic_type (flags & 3), qos (-1 as 3), data/len, retain */
    SND_EV_REGISTER,        /* topic_id, topic: the gateway registered a topic (already answered) */
    SND_EV_PINGRESP,
    SND_EV_DISCONNECT,
    SND_EV_FORWARDED,       /* node_id/node_id_len, data/len: an encapsulated message for a node behind us */
    SND_EV_MQTTSN_OTHER,    /* data/len: any other MQTT-SN message */
    SND_EV_LINK_PONG        /* data/len: token */
} snd_event_type;

typedef struct snd_event {
    snd_event_type type;
    int rc;
    uint8_t qos;
    uint8_t version;
    uint8_t topic_type;
    uint8_t retain;
    uint16_t topic_id;
    uint16_t msg_id;
    uint16_t keepalive;
    uint16_t max_frame;
    const char *topic;
    const uint8_t *data;
    size_t len;
    const uint8_t *node_id;
    uint8_t node_id_len;
} snd_event;

typedef void (*snd_event_fn)(void *ctx, const snd_event *event);

typedef struct snd_topic {
    uint16_t id;                        /* 0 while a REGISTER or SUBSCRIBE is in flight */
    char name[SND_TOPIC_NAME_MAX];      /* empty: free slot */
} snd_topic;

typedef struct snd_config {
    snd_port port;
    snd_event_fn on_event;
    void *event_ctx;
    uint8_t *rx_buf;                    /* SND_RX_BUF_SIZE(max_frame) bytes */
    size_t rx_size;
    uint8_t *tx_buf;                    /* SND_TX_BUF_SIZE(max_frame) bytes */
    size_t tx_size;
    uint16_t max_frame;                 /* 64..1024 decoded bytes */
    uint8_t *pending_buf;               /* copy of the QoS 1 PUBLISH in flight, for retries (may be NULL: no QoS 1) */
    size_t pending_size;
    snd_topic *topics;                  /* topic table */
    size_t topic_count;
    const uint8_t *device_id;           /* 1..16 bytes, stable across reboots (chip id, MAC) */
    uint8_t device_id_len;
    const char *fw_name;                /* 0..32 bytes */
    const char *fw_version;             /* 0..32 bytes */
    uint8_t raw_mqttsn;                 /* 1: compatibility mode, raw MQTT-SN with its length byte, no link layer */
    uint8_t version_min, version_max;   /* 0 means SND_PROTOCOL_VERSION; for tests of version negotiation */
    uint8_t manual_hello;               /* 1: snd_init does not send HELLO; the first snd_hello() starts the link */
} snd_config;

typedef enum { SND_LINK_IDLE, SND_LINK_HELLO_SENT, SND_LINK_UP, SND_LINK_REJECTED } snd_link_state;
typedef enum { SND_MQTTSN_IDLE, SND_MQTTSN_CONNECTING, SND_MQTTSN_CONNECTED, SND_MQTTSN_ASLEEP } snd_mqttsn_state;

typedef struct snd_device {
    snd_config cfg;
    snd_deframer deframer;
    snd_link_state link;
    uint8_t version;
    uint16_t keepalive_s;
    uint16_t link_max_frame;
    uint32_t last_rx_ms;
    uint32_t last_tx_ping_ms;
    uint32_t last_hello_ms;
    uint8_t corrupt_next;               /* test hook: flip a CRC bit in the next frame sent */
    /* MQTT-SN client */
    snd_mqttsn_state mqttsn;
    char client_id[24];
    uint16_t next_msg_id;
    const char *will_topic;
    const uint8_t *will_msg;
    size_t will_len;
    uint8_t will_qos, will_retain;
    uint16_t register_msg_id;           /* 0: none in flight */
    int register_slot;
    uint16_t subscribe_msg_id;
    int subscribe_slot;                 /* -1: not remembered */
    uint16_t pending_msg_id;            /* QoS 1 PUBLISH in flight; 0: none */
    size_t pending_len;
    uint8_t pending_flags;
    uint16_t pending_topic;
    uint8_t pending_retries;
    uint32_t pending_sent_ms;
    /* compatibility mode receive state */
    size_t raw_len;
    size_t raw_expected;
} snd_device;

/* Initialises and, unless raw_mqttsn, sends HELLO. Returns SND_OK or SND_ERR_ARGUMENT. */
int snd_init(snd_device *dev, const snd_config *cfg);
/* Hands bytes read from the serial line to the library; events are delivered from inside this call. */
void snd_feed(snd_device *dev, const uint8_t *bytes, size_t len);
/* Runs timers (HELLO retry, link keepalive, QoS 1 retry). Call often, e.g. every loop iteration. */
void snd_poll(snd_device *dev);
/* Sends HELLO now (also done by snd_init and after link loss). */
int snd_hello(snd_device *dev);
int snd_is_linked(const snd_device *dev);
/* Sends LINK-PING with an optional token (0..8 bytes). */
int snd_link_ping(snd_device *dev, const uint8_t *token, size_t len);
/* Sends any frame; payload <= link maximum - 3. */
int snd_send_frame(snd_device *dev, uint8_t type, const uint8_t *payload, size_t len);
/* Sends one complete MQTT-SN message (with its length field). */
int snd_send_mqttsn(snd_device *dev, const uint8_t *msg, size_t len);
/* Sends an MQTT-SN message on behalf of a node behind this device (Forwarder Encapsulation). */
int snd_send_forwarded(snd_device *dev, const uint8_t *node_id, uint8_t node_id_len, const uint8_t *msg, size_t len);

/* ---- MQTT-SN client helpers (MQTT-SN v1.2) ---- */

/* Will for the next CONNECT (topic and message must stay valid); NULL topic clears it. */
void snd_set_will(snd_device *dev, const char *topic, const uint8_t *msg, size_t len, uint8_t qos, uint8_t retain);
int snd_connect(snd_device *dev, const char *client_id, uint16_t keepalive_s, uint8_t clean_session);
/* Returns the message id (> 0) or an error. The REGACK arrives as SND_EV_REGACK and is remembered. */
int snd_register(snd_device *dev, const char *topic);
/* Topic id of a registered name, 0 if unknown. */
uint16_t snd_topic_id(const snd_device *dev, const char *topic);
/* Name of a topic id, NULL if unknown. */
const char *snd_topic_name(const snd_device *dev, uint16_t topic_id);
/* qos: 0, 1 or -1. topic_type: 0 normal (registered id), 1 predefined, 2 short name. Returns msg id (QoS 1) or 0. */
int snd_publish(snd_device *dev, uint16_t topic_id, uint8_t topic_type, int qos, uint8_t retain,
                const uint8_t *payload, size_t len);
int snd_subscribe(snd_device *dev, const char *filter, uint8_t qos);
int snd_pingreq(snd_device *dev);
/* duration_s > 0: go to sleep for that long (MQTT-SN sleeping client). */
int snd_disconnect(snd_device *dev, uint16_t duration_s);
/* Wakes a sleeping client: PINGREQ with the client id; buffered messages then PINGRESP follow. */
int snd_wake(snd_device *dev);

int snd_protocol_version(void);

#ifdef __cplusplus
}
#endif
#endif
