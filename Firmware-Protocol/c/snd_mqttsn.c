/* MQTT-SN v1.2 client helpers on top of the link (PROTOCOL.md section 7). */
#include "snbridge_device.h"
#include "snd_internal.h"

#include <string.h>

enum {
    MSG_CONNECT = 0x04, MSG_CONNACK = 0x05, MSG_WILLTOPICREQ = 0x06, MSG_WILLTOPIC = 0x07,
    MSG_WILLMSGREQ = 0x08, MSG_WILLMSG = 0x09, MSG_REGISTER = 0x0A, MSG_REGACK = 0x0B, MSG_PUBLISH = 0x0C,
    MSG_PUBACK = 0x0D, MSG_PUBCOMP = 0x0E, MSG_PUBREC = 0x0F, MSG_PUBREL = 0x10, MSG_SUBSCRIBE = 0x12,
    MSG_SUBACK = 0x13, MSG_PINGREQ = 0x16, MSG_PINGRESP = 0x17, MSG_DISCONNECT = 0x18, MSG_ENCAPSULATED = 0xFE
};
enum { FLAG_DUP = 0x80, FLAG_RETAIN = 0x10, FLAG_WILL = 0x08, FLAG_CLEAN = 0x04 };
enum { RC_ACCEPTED = 0x00, RC_CONGESTION = 0x01 };

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* Header size for a message of `body` bytes after the header (MQTT-SN 5.2.1: 1 or 3 length bytes). */
static size_t header_len(size_t body) { return body + 2u <= 255u ? 2u : 4u; }

/* Builds an MQTT-SN message in the transmit area: writes the header and returns where the body goes. */
static uint8_t *begin(snd_device *dev, uint8_t type, size_t body, size_t *total) {
    uint8_t *p = snd_tx_payload(dev);
    size_t h = header_len(body);
    *total = h + body;
    if (*total > snd_tx_payload_cap(dev)) return 0;
    if (h == 2) {
        p[0] = (uint8_t)*total;
    } else {
        p[0] = 0x01;
        put16(p + 1, (uint16_t)*total);
    }
    p[h - 1u] = type;
    return p + h;
}

static int finish(snd_device *dev, size_t total) {
    if (!snd_is_linked(dev)) return SND_ERR_NOT_LINKED;
    return snd_send_built(dev, SND_FRAME_MQTTSN, total);
}

static uint16_t next_id(snd_device *dev) {
    uint16_t id = dev->next_msg_id++;
    if (dev->next_msg_id == 0) dev->next_msg_id = 1;
    return id;
}

int snd_send_mqttsn(snd_device *dev, const uint8_t *msg, size_t len) {
    if (!snd_is_linked(dev)) return SND_ERR_NOT_LINKED;
    return snd_send_frame(dev, SND_FRAME_MQTTSN, msg, len);
}

int snd_send_forwarded(snd_device *dev, const uint8_t *node_id, uint8_t node_id_len, const uint8_t *msg, size_t len) {
    uint8_t *p = snd_tx_payload(dev);
    size_t h = 3u + node_id_len;
    if (!snd_is_linked(dev)) return SND_ERR_NOT_LINKED;
    if (node_id_len < 1 || node_id_len > SND_NODE_ID_MAX) return SND_ERR_ARGUMENT;
    if (h + len > snd_tx_payload_cap(dev)) return SND_ERR_OVERSIZE;
    p[0] = (uint8_t)h;
    p[1] = MSG_ENCAPSULATED;
    p[2] = 0x00; /* ctrl: radius 0 */
    memcpy(p + 3, node_id, node_id_len);
    if (len) memcpy(p + h, msg, len);
    return snd_send_built(dev, SND_FRAME_MQTTSN, h + len);
}

void snd_set_will(snd_device *dev, const char *topic, const uint8_t *msg, size_t len, uint8_t qos, uint8_t retain) {
    dev->will_topic = topic;
    dev->will_msg = msg;
    dev->will_len = len;
    dev->will_qos = qos;
    dev->will_retain = retain;
}

int snd_connect(snd_device *dev, const char *client_id, uint16_t keepalive_s, uint8_t clean_session) {
    size_t n = client_id ? strlen(client_id) : 0, total;
    uint8_t *p;
    if (n < 1 || n > 23) return SND_ERR_ARGUMENT;
    memcpy(dev->client_id, client_id, n + 1u);
    p = begin(dev, MSG_CONNECT, 4u + n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    p[0] = (uint8_t)((clean_session ? FLAG_CLEAN : 0) | (dev->will_topic ? FLAG_WILL : 0));
    p[1] = 0x01; /* protocol id */
    put16(p + 2, keepalive_s);
    memcpy(p + 4, client_id, n);
    dev->mqttsn = SND_MQTTSN_CONNECTING;
    return finish(dev, total);
}

static int find_topic(const snd_device *dev, const char *name) {
    size_t i;
    for (i = 0; i < dev->cfg.topic_count; i++) {
        if (dev->cfg.topics[i].name[0] && strcmp(dev->cfg.topics[i].name, name) == 0) return (int)i;
    }
    return -1;
}

/* A slot for name: the existing one, a free one, or -1. */
static int claim_topic(snd_device *dev, const char *name) {
    size_t i;
    int slot = find_topic(dev, name);
    if (slot >= 0) return slot;
    if (strlen(name) >= SND_TOPIC_NAME_MAX) return -1;
    for (i = 0; i < dev->cfg.topic_count; i++) {
        if (!dev->cfg.topics[i].name[0]) {
            strcpy(dev->cfg.topics[i].name, name);
            dev->cfg.topics[i].id = 0;
            return (int)i;
        }
    }
    return -1;
}

uint16_t snd_topic_id(const snd_device *dev, const char *topic) {
    int slot = find_topic(dev, topic);
    return slot >= 0 ? dev->cfg.topics[slot].id : 0;
}

const char *snd_topic_name(const snd_device *dev, uint16_t topic_id) {
    size_t i;
    for (i = 0; i < dev->cfg.topic_count && topic_id; i++) {
        if (dev->cfg.topics[i].id == topic_id && dev->cfg.topics[i].name[0]) return dev->cfg.topics[i].name;
    }
    return 0;
}

int snd_register(snd_device *dev, const char *topic) {
    size_t n = topic ? strlen(topic) : 0, total;
    uint16_t id;
    int slot, rc;
    uint8_t *p;
    if (n == 0) return SND_ERR_ARGUMENT;
    if (dev->register_msg_id) return SND_ERR_BUSY;
    slot = claim_topic(dev, topic);
    if (slot < 0) return SND_ERR_NO_ROOM;
    p = begin(dev, MSG_REGISTER, 4u + n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    id = next_id(dev);
    put16(p, 0);
    put16(p + 2, id);
    memcpy(p + 4, topic, n);
    rc = finish(dev, total);
    if (rc < 0) return rc;
    dev->register_msg_id = id;
    dev->register_slot = slot;
    return id;
}

static int send_publish(snd_device *dev, uint8_t flags, uint16_t topic_id, uint16_t msg_id,
                        const uint8_t *payload, size_t len) {
    size_t total;
    uint8_t *p = begin(dev, MSG_PUBLISH, 5u + len, &total);
    if (!p) return SND_ERR_OVERSIZE;
    p[0] = flags;
    put16(p + 1, topic_id);
    put16(p + 3, msg_id);
    if (len) memmove(p + 5, payload, len);
    return finish(dev, total);
}

int snd_publish(snd_device *dev, uint16_t topic_id, uint8_t topic_type, int qos, uint8_t retain,
                const uint8_t *payload, size_t len) {
    uint8_t flags = (uint8_t)((retain ? FLAG_RETAIN : 0) | (topic_type & 0x03u));
    uint16_t id = 0;
    int rc;
    if (topic_type > 2 || (qos != 0 && qos != 1 && qos != -1)) return SND_ERR_ARGUMENT;
    if (qos == -1) {
        if (topic_type == 0) return SND_ERR_ARGUMENT; /* QoS -1 needs a predefined id or a short name */
        flags |= 0x60;
    } else if (qos == 1) {
        flags |= 0x20;
        if (!dev->cfg.pending_buf || len > dev->cfg.pending_size) return SND_ERR_ARGUMENT;
        if (dev->pending_msg_id) return SND_ERR_BUSY;
        id = next_id(dev);
    }
    rc = send_publish(dev, flags, topic_id, id, payload, len);
    if (rc < 0) return rc;
    if (qos == 1) {
        /* Keep what is needed to retransmit with DUP set: flags and topic in the header bytes of pending_buf. */
        memcpy(dev->cfg.pending_buf, payload, len);
        dev->pending_len = len;
        dev->pending_msg_id = id;
        dev->pending_retries = 0;
        dev->pending_sent_ms = snd_now(dev);
        dev->pending_flags = flags;
        dev->pending_topic = topic_id;
    }
    return id;
}

int snd_subscribe(snd_device *dev, const char *filter, uint8_t qos) {
    size_t n = filter ? strlen(filter) : 0, total;
    uint16_t id;
    uint8_t *p;
    int rc;
    if (n == 0 || qos > 1) return SND_ERR_ARGUMENT;
    if (dev->subscribe_msg_id) return SND_ERR_BUSY;
    p = begin(dev, MSG_SUBSCRIBE, 3u + n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    id = next_id(dev);
    p[0] = (uint8_t)(qos << 5); /* topic id type 0: topic name */
    put16(p + 1, id);
    memcpy(p + 3, filter, n);
    rc = finish(dev, total);
    if (rc < 0) return rc;
    dev->subscribe_msg_id = id;
    /* A filter without wildcards gets its topic id in SUBACK: remember it if there is room. */
    dev->subscribe_slot = (strchr(filter, '#') || strchr(filter, '+')) ? -1 : claim_topic(dev, filter);
    return id;
}

int snd_pingreq(snd_device *dev) {
    size_t total;
    if (!begin(dev, MSG_PINGREQ, 0, &total)) return SND_ERR_OVERSIZE;
    return finish(dev, total);
}

int snd_disconnect(snd_device *dev, uint16_t duration_s) {
    size_t total;
    uint8_t *p = begin(dev, MSG_DISCONNECT, duration_s ? 2u : 0u, &total);
    if (!p) return SND_ERR_OVERSIZE;
    if (duration_s) put16(p, duration_s);
    dev->mqttsn = duration_s ? SND_MQTTSN_ASLEEP : SND_MQTTSN_IDLE;
    return finish(dev, total);
}

int snd_wake(snd_device *dev) {
    size_t n = strlen(dev->client_id), total;
    uint8_t *p;
    if (n == 0) return SND_ERR_ARGUMENT;
    p = begin(dev, MSG_PINGREQ, n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    memcpy(p, dev->client_id, n);
    return finish(dev, total);
}

static void send_ack(snd_device *dev, uint8_t type, uint16_t topic_id, uint16_t msg_id, uint8_t rc) {
    size_t total;
    uint8_t *p = begin(dev, type, 5, &total);
    if (!p) return;
    put16(p, topic_id);
    put16(p + 2, msg_id);
    p[4] = rc;
    finish(dev, total);
}

static void send_msg_id(snd_device *dev, uint8_t type, uint16_t msg_id) {
    size_t total;
    uint8_t *p = begin(dev, type, 2, &total);
    if (!p) return;
    put16(p, msg_id);
    finish(dev, total);
}

static void send_will_part(snd_device *dev, int topic) {
    size_t total, n = topic ? strlen(dev->will_topic) : dev->will_len;
    uint8_t *p = begin(dev, topic ? MSG_WILLTOPIC : MSG_WILLMSG, n + (topic ? 1u : 0u), &total);
    if (!p) return;
    if (topic) {
        *p++ = (uint8_t)((dev->will_qos << 5) | (dev->will_retain ? FLAG_RETAIN : 0));
        memcpy(p, dev->will_topic, n);
    } else {
        if (n) memcpy(p, dev->will_msg, n);
    }
    finish(dev, total);
}

void snd_mqttsn_received(snd_device *dev, const uint8_t *msg, size_t len) {
    snd_event ev;
    size_t h, n;
    const uint8_t *b;
    memset(&ev, 0, sizeof ev);
    if (len < 2) return;
    if (len >= 4 && msg[1] == MSG_ENCAPSULATED) {
        /* Forwarder Encapsulation: msg[0] is the header length; the node's own message follows. */
        if (msg[0] < 4 || msg[0] > len || msg[0] - 3u > SND_NODE_ID_MAX) return;
        ev.type = SND_EV_FORWARDED;
        ev.node_id = msg + 3;
        ev.node_id_len = (uint8_t)(msg[0] - 3u);
        ev.data = msg + msg[0];
        ev.len = len - msg[0];
        snd_emit(dev, &ev);
        return;
    }
    if (msg[0] == 0x01) {
        if (len < 4 || get16(msg + 1) != len) return;
        h = 4;
    } else {
        if (msg[0] != len) return;
        h = 2;
    }
    b = msg + h;
    n = len - h;
    switch (msg[h - 1u]) {
    case MSG_CONNACK:
        if (n != 1) return;
        dev->mqttsn = b[0] == RC_ACCEPTED ? SND_MQTTSN_CONNECTED : SND_MQTTSN_IDLE;
        ev.type = SND_EV_CONNACK;
        ev.rc = b[0];
        break;
    case MSG_WILLTOPICREQ:
    case MSG_WILLMSGREQ:
        if (dev->will_topic) {
            send_will_part(dev, msg[h - 1u] == MSG_WILLTOPICREQ);
            return;
        }
        ev.type = SND_EV_WILL_REQUESTED;
        break;
    case MSG_REGACK:
        if (n != 5) return;
        ev.type = SND_EV_REGACK;
        ev.topic_id = get16(b);
        ev.msg_id = get16(b + 2);
        ev.rc = b[4];
        if (ev.msg_id == dev->register_msg_id && dev->register_slot >= 0) {
            snd_topic *t = &dev->cfg.topics[dev->register_slot];
            ev.topic = t->name;
            if (ev.rc == RC_ACCEPTED) {
                t->id = ev.topic_id;
            } else if (t->id == 0) {
                t->name[0] = 0;
            }
            dev->register_msg_id = 0;
            dev->register_slot = -1;
        }
        break;
    case MSG_REGISTER: {
        /* The gateway names a topic before publishing on it (wildcard subscriptions): remember and acknowledge. */
        char name[SND_TOPIC_NAME_MAX];
        size_t k = n - 4u;
        int slot;
        uint8_t rc = RC_ACCEPTED;
        if (n < 5) return;
        if (k >= SND_TOPIC_NAME_MAX) {
            rc = RC_CONGESTION;
        } else {
            memcpy(name, b + 4, k);
            name[k] = 0;
            slot = claim_topic(dev, name);
            if (slot < 0) {
                rc = RC_CONGESTION;
            } else {
                dev->cfg.topics[slot].id = get16(b);
                ev.topic = dev->cfg.topics[slot].name;
            }
        }
        send_ack(dev, MSG_REGACK, get16(b), get16(b + 2), rc);
        if (rc != RC_ACCEPTED) return;
        ev.type = SND_EV_REGISTER;
        ev.topic_id = get16(b);
        ev.msg_id = get16(b + 2);
        break;
    }
    case MSG_PUBLISH: {
        uint8_t qos;
        if (n < 5) return;
        qos = (uint8_t)((b[0] >> 5) & 3u);
        ev.type = SND_EV_PUBLISH;
        ev.qos = qos;
        ev.retain = (b[0] & FLAG_RETAIN) ? 1 : 0;
        ev.topic_type = b[0] & 3u;
        ev.topic_id = get16(b + 1);
        ev.msg_id = get16(b + 3);
        ev.topic = ev.topic_type == 0 ? snd_topic_name(dev, ev.topic_id) : 0;
        ev.data = b + 5;
        ev.len = n - 5u;
        snd_emit(dev, &ev);
        if (qos == 1) send_ack(dev, MSG_PUBACK, ev.topic_id, ev.msg_id, RC_ACCEPTED);
        if (qos == 2) send_msg_id(dev, MSG_PUBREC, ev.msg_id);
        return;
    }
    case MSG_PUBREL:
        if (n != 2) return;
        send_msg_id(dev, MSG_PUBCOMP, get16(b));
        return;
    case MSG_PUBACK:
        if (n != 5) return;
        ev.type = SND_EV_PUBACK;
        ev.topic_id = get16(b);
        ev.msg_id = get16(b + 2);
        ev.rc = b[4];
        if (ev.msg_id == dev->pending_msg_id) dev->pending_msg_id = 0;
        break;
    case MSG_SUBACK:
        if (n != 6) return;
        ev.type = SND_EV_SUBACK;
        ev.qos = (uint8_t)((b[0] >> 5) & 3u);
        ev.topic_id = get16(b + 1);
        ev.msg_id = get16(b + 3);
        ev.rc = b[5];
        if (ev.msg_id == dev->subscribe_msg_id) {
            if (dev->subscribe_slot >= 0) {
                snd_topic *t = &dev->cfg.topics[dev->subscribe_slot];
                ev.topic = t->name;
                if (ev.rc == RC_ACCEPTED && ev.topic_id) {
                    t->id = ev.topic_id;
                } else if (t->id == 0) {
                    t->name[0] = 0;
                }
            }
            dev->subscribe_msg_id = 0;
            dev->subscribe_slot = -1;
        }
        break;
    case MSG_PINGRESP:
        ev.type = SND_EV_PINGRESP;
        break;
    case MSG_DISCONNECT:
        dev->mqttsn = SND_MQTTSN_IDLE;
        ev.type = SND_EV_DISCONNECT;
        break;
    default:
        ev.type = SND_EV_MQTTSN_OTHER;
        ev.data = msg;
        ev.len = len;
        break;
    }
    snd_emit(dev, &ev);
}

void snd_mqttsn_poll(snd_device *dev, uint32_t now) {
    snd_event ev;
    if (!dev->pending_msg_id || (uint32_t)(now - dev->pending_sent_ms) < SND_RETRY_MS) return;
    if (dev->pending_retries >= SND_RETRY_COUNT) {
        memset(&ev, 0, sizeof ev);
        ev.type = SND_EV_PUBLISH_TIMEOUT;
        ev.rc = SND_ERR_TIMEOUT;
        ev.topic_id = dev->pending_topic;
        ev.msg_id = dev->pending_msg_id;
        dev->pending_msg_id = 0;
        snd_emit(dev, &ev);
        return;
    }
    dev->pending_retries++;
    dev->pending_sent_ms = now;
    send_publish(dev, (uint8_t)(dev->pending_flags | FLAG_DUP), dev->pending_topic, dev->pending_msg_id,
                 dev->cfg.pending_buf, dev->pending_len);
}
