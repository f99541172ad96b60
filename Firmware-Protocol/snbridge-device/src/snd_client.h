#ifndef SND_CLIENT_H
#define SND_CLIENT_H
/*
 * The MQTT-SN v1.2 client of the device library (PROTOCOL.md section 7). It reaches the wire only through the
 * small snd_client_io interface below, so it runs over the serial link (snbridge_device.h wires the two), over a
 * test double, or over any other transport that carries whole MQTT-SN messages.
 *
 *   application --snd_client_*()--> snd_client --io.tx_area/io.send--> link
 *   application <--on_event(ev)---- snd_client <--snd_client_received-- link
 *
 * REGISTER, SUBSCRIBE and QoS 1 PUBLISH (one of each in flight) are retransmitted every SND_RETRY_MS and given up
 * with SND_EV_ABANDONED after SND_RETRY_COUNT retransmissions, or at once when the link goes down.
 */
#include "snd_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SND_NODE_ID_MAX 16u
#define SND_CLIENT_ID_MAX 23u
#define SND_TOPIC_NAME_DEFAULT 128u  /* longest topic name the examples provide for */

#ifndef SND_RETRY_MS
#define SND_RETRY_MS 5000u           /* MQTT-SN Tretry */
#endif
#ifndef SND_RETRY_COUNT
#define SND_RETRY_COUNT 3u           /* MQTT-SN Nretry */
#endif

/* Bytes of topic table for count topics with names of up to name_max characters (2-byte id, name, NUL). */
#define SND_TOPIC_STORAGE_SIZE(count, name_max) ((count) * ((name_max) + 3u))

typedef struct snd_client_io {
    /* Where the next message is built in place; *cap: the largest message the transport takes now. */
    uint8_t *(*tx_area)(void *ctx, size_t *cap);
    /* Sends the len bytes built at tx_area (SND_ERR_NOT_LINKED while the transport is down). */
    int (*send)(void *ctx, size_t len);
    uint32_t (*millis)(void *ctx);
    void *ctx;
} snd_client_io;

typedef struct snd_client_config {
    snd_client_io io;
    snd_event_fn on_event;
    void *event_ctx;
    uint8_t *pending_buf;               /* copy of the QoS 1 PUBLISH payload in flight (NULL: no QoS 1) */
    size_t pending_size;
    uint8_t *topic_storage;             /* SND_TOPIC_STORAGE_SIZE(topic_count, topic_name_max) bytes */
    uint8_t topic_count;
    uint8_t topic_name_max;             /* longest topic name in characters; 0 means SND_TOPIC_NAME_DEFAULT */
} snd_client_config;

typedef enum { SND_CLIENT_IDLE, SND_CLIENT_CONNECTING, SND_CLIENT_CONNECTED, SND_CLIENT_ASLEEP } snd_client_state;

/* One request waiting for its answer; msg_id 0: none. */
typedef struct snd_request {
    uint16_t msg_id;
    uint8_t retries;
    uint32_t sent_ms;
} snd_request;

typedef struct snd_client {
    snd_client_config cfg;
    snd_client_state state;
    char client_id[SND_CLIENT_ID_MAX + 1];
    uint16_t next_msg_id;
    const char *will_topic;
    const uint8_t *will_msg;
    size_t will_len;
    uint8_t will_qos, will_retain;
    snd_request reg;
    int reg_slot;
    snd_request sub;
    const char *sub_filter;             /* the caller's filter, kept for retransmission */
    int sub_slot;                       /* -1: not remembered (wildcard filter) */
    uint8_t sub_qos;
    snd_request pub;
    size_t pub_len;
    uint8_t pub_flags;
    uint16_t pub_topic;
} snd_client;

int snd_client_init(snd_client *c, const snd_client_config *cfg);
/* One MQTT-SN message from the transport; events are delivered from inside this call. */
void snd_client_received(snd_client *c, const uint8_t *msg, size_t len);
/* Retransmissions and give-ups. Call often. */
void snd_client_poll(snd_client *c);
/* The transport went down: the client is reset (not connected); each in-flight request is abandoned with
   SND_EV_ABANDONED (reason SND_ABANDONED_LINK_DOWN). Registered topics stay remembered for a CONNECT with
   clean_session 0; a clean CONNECT forgets them. */
void snd_client_link_down(snd_client *c);

/* Will for the next CONNECT (topic and message must stay valid); NULL topic clears it. */
void snd_client_set_will(snd_client *c, const char *topic, const uint8_t *msg, size_t len, uint8_t qos,
                         uint8_t retain);
int snd_client_connect(snd_client *c, const char *client_id, uint16_t keepalive_s, uint8_t clean_session);
/* Returns the message id (> 0) or an error (SND_ERR_TOPIC_TOO_LONG, SND_ERR_NO_ROOM, SND_ERR_BUSY, ...).
   The REGACK arrives as SND_EV_REGACK and the id is remembered. */
int snd_client_register(snd_client *c, const char *topic);
/* Topic id of a registered name, 0 if unknown. */
uint16_t snd_client_topic_id(const snd_client *c, const char *topic);
/* Name of a topic id, NULL if unknown. */
const char *snd_client_topic_name(const snd_client *c, uint16_t topic_id);
/* qos: 0, 1 or -1. topic_type: 0 normal (registered id), 1 predefined, 2 short name. Returns msg id (QoS 1) or 0. */
int snd_client_publish(snd_client *c, uint16_t topic_id, uint8_t topic_type, int qos, uint8_t retain,
                       const uint8_t *payload, size_t len);
/* filter must stay valid until SND_EV_SUBACK or SND_EV_ABANDONED (it is sent again on retries). */
int snd_client_subscribe(snd_client *c, const char *filter, uint8_t qos);
int snd_client_pingreq(snd_client *c);
/* duration_s > 0: go to sleep for that long (MQTT-SN sleeping client). */
int snd_client_disconnect(snd_client *c, uint16_t duration_s);
/* Wakes a sleeping client: PINGREQ with the client id; buffered messages then PINGRESP follow. */
int snd_client_wake(snd_client *c);
/* Sends one complete MQTT-SN message (with its length field) as it is. */
int snd_client_send_raw(snd_client *c, const uint8_t *msg, size_t len);
/* Sends an MQTT-SN message on behalf of a node behind this device (Forwarder Encapsulation, ctrl 0x00). */
int snd_client_send_forwarded(snd_client *c, const uint8_t *node_id, uint8_t node_id_len, const uint8_t *msg,
                              size_t len);

#ifdef __cplusplus
}
#endif
#endif
