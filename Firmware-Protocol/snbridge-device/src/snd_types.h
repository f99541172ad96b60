#ifndef SND_TYPES_H
#define SND_TYPES_H
/*
 * Vocabulary shared by the layers of the snbridge device library: result codes, reason codes and the event that
 * reaches the application. Neither layer's state is declared here, so snd_link.h and snd_client.h include only
 * this file and never each other.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results: 0 or positive is success; negative values are errors. */
typedef enum {
    SND_OK = 0,
    SND_ERR_COBS = -1,
    SND_ERR_TOO_SHORT = -2,
    SND_ERR_BAD_CRC = -3,
    SND_ERR_UNKNOWN_TYPE = -4,
    SND_ERR_OVERSIZE = -5,        /* does not fit the link maximum or a buffer */
    SND_ERR_NOT_LINKED = -6,
    SND_ERR_ARGUMENT = -7,
    SND_ERR_BUSY = -8,            /* a QoS 1 PUBLISH, REGISTER or SUBSCRIBE of the same kind is already in flight */
    SND_ERR_NO_ROOM = -9,         /* topic table full */
    SND_ERR_MALFORMED = -10,      /* a known frame or MQTT-SN message with an invalid layout */
    SND_ERR_TIMEOUT = -11,        /* retries exhausted */
    SND_ERR_TOPIC_TOO_LONG = -12  /* topic name longer than the topic table's name size allows */
} snd_status;

/* Returns a constant description of a snd_status (just "ok"/"error" on AVR unless SND_STATUS_TEXT=1). */
const char *snd_status_text(int status);

/* REJECT reasons (PROTOCOL.md 4.3). */
typedef enum {
    SND_REJECT_UNSUPPORTED_VERSION = 0x01,
    SND_REJECT_MALFORMED_HELLO = 0x02,
    SND_REJECT_FRAME_TOO_SMALL = 0x03,
    SND_REJECT_NOT_ALLOWED = 0x04
} snd_reject_reason;

/* Why the link went down. */
typedef enum {
    SND_LINK_DOWN_SILENCE = 0,          /* no valid frame from the gateway for 3 x keepalive */
    SND_LINK_DOWN_RESET = 1,            /* the gateway sent RESET 0x00 (re-hello) */
    SND_LINK_DOWN_REBOOT_REQUESTED = 2  /* the gateway sent RESET 0x01; the application may reboot */
} snd_link_down_reason;

/* MQTT-SN return codes (MQTT-SN v1.2 5.3.10). */
typedef enum {
    SND_RC_ACCEPTED = 0x00,
    SND_RC_CONGESTION = 0x01,
    SND_RC_INVALID_TOPIC_ID = 0x02,
    SND_RC_NOT_SUPPORTED = 0x03
} snd_return_code;

/* A request of the MQTT-SN client that waits for an answer. */
typedef enum { SND_REQUEST_REGISTER, SND_REQUEST_SUBSCRIBE, SND_REQUEST_PUBLISH } snd_request_kind;

/* Why an in-flight request was given up. */
typedef enum {
    SND_ABANDONED_TIMEOUT = 0,   /* no answer after SND_RETRY_COUNT retransmissions */
    SND_ABANDONED_LINK_DOWN = 1  /* the link went down (or a new CONNECT started) before the answer */
} snd_abandon_reason;

typedef enum {
    /* link layer */
    SND_EV_LINK_UP,         /* u.link_up */
    SND_EV_REJECTED,        /* u.rejected */
    SND_EV_LINK_DOWN,       /* u.link_down; the client has been reset (its in-flight requests are abandoned) */
    SND_EV_FRAME_ERROR,     /* u.frame_error: a bad incoming frame, dropped */
    SND_EV_CONSOLE,         /* u.bytes: bytes outside frames received from the gateway (unusual) */
    SND_EV_LINK_PONG,       /* u.bytes: the token */
    /* MQTT-SN client */
    SND_EV_CONNACK,         /* u.connack */
    SND_EV_WILL_REQUESTED,  /* the gateway asked for the will and none is set */
    SND_EV_REGACK,          /* u.ack: our REGISTER was answered (rc accepted: remembered in the topic table) */
    SND_EV_PUBACK,          /* u.ack */
    SND_EV_SUBACK,          /* u.ack (qos granted) */
    SND_EV_ABANDONED,       /* u.abandoned: a REGISTER, SUBSCRIBE or QoS 1 PUBLISH that got no answer */
    SND_EV_PUBLISH,         /* u.publish: a message for us (QoS 1/2 already acknowledged) */
    SND_EV_REGISTER,        /* u.registered: the gateway named a topic (already answered with REGACK) */
    SND_EV_PINGRESP,
    SND_EV_DISCONNECT,
    SND_EV_FORWARDED,       /* u.forwarded: an encapsulated message for a node behind this device */
    SND_EV_MQTTSN_OTHER     /* u.bytes: any other MQTT-SN message */
} snd_event_type;

typedef struct snd_event {
    snd_event_type type;
    union {
        struct { uint8_t version; uint16_t keepalive_s; uint16_t max_frame; } link_up;
        struct { snd_reject_reason reason; uint8_t gateway_min, gateway_max; } rejected;
        struct { snd_link_down_reason reason; } link_down;
        struct { snd_status status; } frame_error;
        struct { const uint8_t *data; size_t len; } bytes;
        struct { snd_return_code rc; } connack;
        /* REGACK, PUBACK, SUBACK. topic: our name for the topic id when known, else NULL. */
        struct { snd_return_code rc; uint16_t topic_id; uint16_t msg_id; uint8_t qos; const char *topic; } ack;
        struct {
            snd_request_kind request; snd_abandon_reason reason; uint16_t msg_id; uint16_t topic_id;
            const char *topic;      /* REGISTER, SUBSCRIBE: the name or filter; PUBLISH: NULL */
        } abandoned;
        struct {
            uint16_t topic_id; uint16_t msg_id; uint8_t topic_type; /* 0 normal, 1 predefined, 2 short name */
            int8_t qos;             /* 0, 1, 2 or -1 */
            uint8_t retain;
            const char *topic;      /* the registered name when topic_type is 0 and it is known, else NULL */
            const uint8_t *data; size_t len;
        } publish;
        /* status: SND_OK (remembered), SND_ERR_TOPIC_TOO_LONG or SND_ERR_NO_ROOM (refused with REGACK rc). */
        struct { snd_status status; uint16_t topic_id; uint16_t msg_id; const char *topic; } registered;
        struct { const uint8_t *node_id; uint8_t node_id_len; const uint8_t *data; size_t len; } forwarded;
    } u;
} snd_event;

typedef void (*snd_event_fn)(void *ctx, const snd_event *event);

#ifdef __cplusplus
}
#endif
#endif
