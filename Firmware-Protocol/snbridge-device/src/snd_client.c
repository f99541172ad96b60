/* MQTT-SN v1.2 client over any transport given as snd_client_io (PROTOCOL.md section 7). */
#include "snd_client.h"

#include <string.h>

enum {
    MSG_CONNECT = 0x04, MSG_CONNACK = 0x05, MSG_WILLTOPICREQ = 0x06, MSG_WILLTOPIC = 0x07,
    MSG_WILLMSGREQ = 0x08, MSG_WILLMSG = 0x09, MSG_REGISTER = 0x0A, MSG_REGACK = 0x0B, MSG_PUBLISH = 0x0C,
    MSG_PUBACK = 0x0D, MSG_PUBCOMP = 0x0E, MSG_PUBREC = 0x0F, MSG_PUBREL = 0x10, MSG_SUBSCRIBE = 0x12,
    MSG_SUBACK = 0x13, MSG_PINGREQ = 0x16, MSG_PINGRESP = 0x17, MSG_DISCONNECT = 0x18, MSG_ENCAPSULATED = 0xFE
};
enum { FLAG_DUP = 0x80, FLAG_RETAIN = 0x10, FLAG_WILL = 0x08, FLAG_CLEAN = 0x04 };

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void emit(snd_client *c, snd_event *ev) {
    if (c->cfg.on_event) c->cfg.on_event(c->cfg.event_ctx, ev);
}

static uint32_t now_ms(snd_client *c) { return c->cfg.io.millis(c->cfg.io.ctx); }

/* ---- topic table: slot i is [id hi][id lo][name, NUL] at topic_storage + i * (name_max + 3) ---- */

static size_t name_max(const snd_client *c) {
    return c->cfg.topic_name_max ? c->cfg.topic_name_max : SND_TOPIC_NAME_DEFAULT;
}
static uint8_t *slot_at(const snd_client *c, int i) { return c->cfg.topic_storage + (size_t)i * (name_max(c) + 3u); }
static char *slot_name(const snd_client *c, int i) { return (char *)slot_at(c, i) + 2; }
static uint16_t slot_id(const snd_client *c, int i) { return get16(slot_at(c, i)); }
static void slot_set_id(snd_client *c, int i, uint16_t id) { put16(slot_at(c, i), id); }
static void slot_free(snd_client *c, int i) { memset(slot_at(c, i), 0, 3); }

static int find_topic(const snd_client *c, const char *name, size_t n) {
    int i;
    for (i = 0; i < c->cfg.topic_count; i++) {
        const char *s = slot_name(c, i);
        if (s[0] && strlen(s) == n && memcmp(s, name, n) == 0) return i;
    }
    return -1;
}

/* The slot for the n-byte name: the existing one, a free one (claimed, id 0), or a negative status. */
static int claim_topic(snd_client *c, const char *name, size_t n) {
    int i = find_topic(c, name, n);
    if (i >= 0) return i;
    if (n > name_max(c)) return SND_ERR_TOPIC_TOO_LONG;
    for (i = 0; i < c->cfg.topic_count; i++) {
        char *s = slot_name(c, i);
        if (!s[0]) {
            memcpy(s, name, n);
            s[n] = 0;
            slot_set_id(c, i, 0);
            return i;
        }
    }
    return SND_ERR_NO_ROOM;
}

/* A slot claimed for a request that got no answer (id still 0) is freed again. */
static void release_unanswered(snd_client *c, int i) {
    if (i >= 0 && slot_id(c, i) == 0) slot_free(c, i);
}

uint16_t snd_client_topic_id(const snd_client *c, const char *topic) {
    int i = topic ? find_topic(c, topic, strlen(topic)) : -1;
    return i >= 0 ? slot_id(c, i) : 0;
}

const char *snd_client_topic_name(const snd_client *c, uint16_t topic_id) {
    int i;
    for (i = 0; i < c->cfg.topic_count && topic_id; i++) {
        if (slot_id(c, i) == topic_id && slot_name(c, i)[0]) return slot_name(c, i);
    }
    return 0;
}

/* ---- building messages in the transport's transmit area ---- */

/* Header size for a message of `body` bytes after the header (MQTT-SN 5.2.1: 1 or 3 length bytes). */
static size_t header_len(size_t body) { return body + 2u <= 255u ? 2u : 4u; }

/* Writes the header and returns where the body goes, or NULL if the message cannot fit the transport. */
static uint8_t *begin(snd_client *c, uint8_t type, size_t body, size_t *total) {
    size_t cap;
    uint8_t *p = c->cfg.io.tx_area(c->cfg.io.ctx, &cap);
    size_t h = header_len(body);
    *total = h + body;
    if (*total > cap) return 0;
    if (h == 2) {
        p[0] = (uint8_t)*total;
    } else {
        p[0] = 0x01;
        put16(p + 1, (uint16_t)*total);
    }
    p[h - 1u] = type;
    return p + h;
}

static int finish(snd_client *c, size_t total) { return c->cfg.io.send(c->cfg.io.ctx, total); }

static uint16_t next_id(snd_client *c) {
    uint16_t id = c->next_msg_id++;
    if (c->next_msg_id == 0) c->next_msg_id = 1;
    return id;
}

static void request_start(snd_client *c, snd_request *r, uint16_t msg_id) {
    r->msg_id = msg_id;
    r->retries = 0;
    r->sent_ms = now_ms(c);
}

static void abandon(snd_client *c, snd_request *r, snd_request_kind kind, snd_abandon_reason reason) {
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_ABANDONED;
    ev.u.abandoned.request = kind;
    ev.u.abandoned.reason = reason;
    ev.u.abandoned.msg_id = r->msg_id;
    r->msg_id = 0;
    if (kind == SND_REQUEST_REGISTER) {
        ev.u.abandoned.topic = c->reg_slot >= 0 ? slot_name(c, c->reg_slot) : 0;
    } else if (kind == SND_REQUEST_SUBSCRIBE) {
        ev.u.abandoned.topic = c->sub_filter;
    } else {
        ev.u.abandoned.topic_id = c->pub_topic;
    }
    emit(c, &ev);
    /* After the event, so its topic pointer was still valid for the application. */
    if (kind == SND_REQUEST_REGISTER) {
        release_unanswered(c, c->reg_slot);
        c->reg_slot = -1;
    } else if (kind == SND_REQUEST_SUBSCRIBE) {
        release_unanswered(c, c->sub_slot);
        c->sub_slot = -1;
        c->sub_filter = 0;
    }
}

static void abandon_all(snd_client *c, snd_abandon_reason reason) {
    if (c->reg.msg_id) abandon(c, &c->reg, SND_REQUEST_REGISTER, reason);
    if (c->sub.msg_id) abandon(c, &c->sub, SND_REQUEST_SUBSCRIBE, reason);
    if (c->pub.msg_id) abandon(c, &c->pub, SND_REQUEST_PUBLISH, reason);
}

int snd_client_init(snd_client *c, const snd_client_config *cfg) {
    memset(c, 0, sizeof *c);
    if (!cfg || !cfg->io.tx_area || !cfg->io.send || !cfg->io.millis) return SND_ERR_ARGUMENT;
    if (cfg->topic_count && !cfg->topic_storage) return SND_ERR_ARGUMENT;
    c->cfg = *cfg;
    c->next_msg_id = 1;
    c->reg_slot = -1;
    c->sub_slot = -1;
    if (cfg->topic_storage) memset(cfg->topic_storage, 0, SND_TOPIC_STORAGE_SIZE((size_t)cfg->topic_count, name_max(c)));
    return SND_OK;
}

void snd_client_link_down(snd_client *c) {
    c->state = SND_CLIENT_IDLE;
    abandon_all(c, SND_ABANDONED_LINK_DOWN);
}

int snd_client_send_raw(snd_client *c, const uint8_t *msg, size_t len) {
    size_t cap;
    uint8_t *p = c->cfg.io.tx_area(c->cfg.io.ctx, &cap);
    if (len > cap) return SND_ERR_OVERSIZE;
    if (len) memmove(p, msg, len);
    return finish(c, len);
}

int snd_client_send_forwarded(snd_client *c, const uint8_t *node_id, uint8_t node_id_len, const uint8_t *msg,
                              size_t len) {
    size_t cap, h = 3u + node_id_len;
    uint8_t *p = c->cfg.io.tx_area(c->cfg.io.ctx, &cap);
    if (node_id_len < 1 || node_id_len > SND_NODE_ID_MAX) return SND_ERR_ARGUMENT;
    if (h + len > cap) return SND_ERR_OVERSIZE;
    p[0] = (uint8_t)h;
    p[1] = MSG_ENCAPSULATED;
    p[2] = 0x00; /* ctrl: radius 0, reserved bits 0 (PROTOCOL.md 7.1) */
    memcpy(p + 3, node_id, node_id_len);
    if (len) memcpy(p + h, msg, len);
    return finish(c, h + len);
}

void snd_client_set_will(snd_client *c, const char *topic, const uint8_t *msg, size_t len, uint8_t qos,
                         uint8_t retain) {
    c->will_topic = topic;
    c->will_msg = msg;
    c->will_len = len;
    c->will_qos = qos;
    c->will_retain = retain;
}

int snd_client_connect(snd_client *c, const char *client_id, uint16_t keepalive_s, uint8_t clean_session) {
    size_t n = client_id ? strlen(client_id) : 0, total;
    uint8_t *p;
    int i;
    if (n < 1 || n > SND_CLIENT_ID_MAX) return SND_ERR_ARGUMENT;
    p = begin(c, MSG_CONNECT, 4u + n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    p[0] = (uint8_t)((clean_session ? FLAG_CLEAN : 0) | (c->will_topic ? FLAG_WILL : 0));
    p[1] = 0x01; /* protocol id */
    put16(p + 2, keepalive_s);
    memcpy(p + 4, client_id, n);
    i = finish(c, total);
    if (i < 0) return i;
    memcpy(c->client_id, client_id, n + 1u);
    /* A new session: answers to the old one's requests can no longer come. */
    abandon_all(c, SND_ABANDONED_LINK_DOWN);
    if (clean_session) {
        for (i = 0; i < c->cfg.topic_count; i++) slot_free(c, i);
    }
    c->state = SND_CLIENT_CONNECTING;
    return SND_OK;
}

static int send_register(snd_client *c, const char *topic, uint16_t msg_id) {
    size_t n = strlen(topic), total;
    uint8_t *p = begin(c, MSG_REGISTER, 4u + n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    put16(p, 0);
    put16(p + 2, msg_id);
    memcpy(p + 4, topic, n);
    return finish(c, total);
}

int snd_client_register(snd_client *c, const char *topic) {
    size_t n = topic ? strlen(topic) : 0;
    uint16_t id;
    int slot, rc;
    if (n == 0) return SND_ERR_ARGUMENT;
    if (n > name_max(c)) return SND_ERR_TOPIC_TOO_LONG;
    if (c->reg.msg_id) return SND_ERR_BUSY;
    slot = claim_topic(c, topic, n);
    if (slot < 0) return slot;
    id = c->next_msg_id;
    rc = send_register(c, topic, id);
    if (rc < 0) {
        release_unanswered(c, slot);
        return rc;
    }
    next_id(c);
    request_start(c, &c->reg, id);
    c->reg_slot = slot;
    return id;
}

static int send_publish(snd_client *c, uint8_t flags, uint16_t topic_id, uint16_t msg_id, const uint8_t *payload,
                        size_t len) {
    size_t total;
    uint8_t *p = begin(c, MSG_PUBLISH, 5u + len, &total);
    if (!p) return SND_ERR_OVERSIZE;
    p[0] = flags;
    put16(p + 1, topic_id);
    put16(p + 3, msg_id);
    if (len) memmove(p + 5, payload, len);
    return finish(c, total);
}

int snd_client_publish(snd_client *c, uint16_t topic_id, uint8_t topic_type, int qos, uint8_t retain,
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
        if (!c->cfg.pending_buf || len > c->cfg.pending_size) return SND_ERR_ARGUMENT;
        if (c->pub.msg_id) return SND_ERR_BUSY;
        id = c->next_msg_id;
    }
    rc = send_publish(c, flags, topic_id, id, payload, len);
    if (rc < 0) return rc;
    if (qos == 1) {
        next_id(c);
        memcpy(c->cfg.pending_buf, payload, len);
        c->pub_len = len;
        c->pub_flags = flags;
        c->pub_topic = topic_id;
        request_start(c, &c->pub, id);
    }
    return id;
}

static int send_subscribe(snd_client *c, uint8_t dup) {
    size_t n = strlen(c->sub_filter), total;
    uint8_t *p = begin(c, MSG_SUBSCRIBE, 3u + n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    p[0] = (uint8_t)((dup ? FLAG_DUP : 0) | (c->sub_qos << 5)); /* topic id type 0: topic name */
    put16(p + 1, c->sub.msg_id);
    memcpy(p + 3, c->sub_filter, n);
    return finish(c, total);
}

int snd_client_subscribe(snd_client *c, const char *filter, uint8_t qos) {
    size_t n = filter ? strlen(filter) : 0;
    int rc, slot = -1;
    if (n == 0 || qos > 1) return SND_ERR_ARGUMENT;
    if (c->sub.msg_id) return SND_ERR_BUSY;
    /* A filter without wildcards gets its topic id in SUBACK: remember it. */
    if (!strchr(filter, '#') && !strchr(filter, '+')) {
        slot = claim_topic(c, filter, n);
        if (slot < 0) return slot;
    }
    c->sub.msg_id = c->next_msg_id;
    c->sub_filter = filter;
    c->sub_qos = qos;
    rc = send_subscribe(c, 0);
    if (rc < 0) {
        c->sub.msg_id = 0;
        c->sub_filter = 0;
        release_unanswered(c, slot);
        return rc;
    }
    request_start(c, &c->sub, next_id(c));
    c->sub_slot = slot;
    return c->sub.msg_id;
}

int snd_client_pingreq(snd_client *c) {
    size_t total;
    if (!begin(c, MSG_PINGREQ, 0, &total)) return SND_ERR_OVERSIZE;
    return finish(c, total);
}

int snd_client_disconnect(snd_client *c, uint16_t duration_s) {
    size_t total;
    uint8_t *p = begin(c, MSG_DISCONNECT, duration_s ? 2u : 0u, &total);
    if (!p) return SND_ERR_OVERSIZE;
    if (duration_s) put16(p, duration_s);
    c->state = duration_s ? SND_CLIENT_ASLEEP : SND_CLIENT_IDLE;
    return finish(c, total);
}

int snd_client_wake(snd_client *c) {
    size_t n = strlen(c->client_id), total;
    uint8_t *p;
    if (n == 0) return SND_ERR_ARGUMENT;
    p = begin(c, MSG_PINGREQ, n, &total);
    if (!p) return SND_ERR_OVERSIZE;
    memcpy(p, c->client_id, n);
    return finish(c, total);
}

static void send_ack(snd_client *c, uint8_t type, uint16_t topic_id, uint16_t msg_id, uint8_t rc) {
    size_t total;
    uint8_t *p = begin(c, type, 5, &total);
    if (!p) return;
    put16(p, topic_id);
    put16(p + 2, msg_id);
    p[4] = rc;
    finish(c, total);
}

static void send_msg_id(snd_client *c, uint8_t type, uint16_t msg_id) {
    size_t total;
    uint8_t *p = begin(c, type, 2, &total);
    if (!p) return;
    put16(p, msg_id);
    finish(c, total);
}

static void send_will_part(snd_client *c, int topic) {
    size_t total, n = topic ? strlen(c->will_topic) : c->will_len;
    uint8_t *p = begin(c, topic ? MSG_WILLTOPIC : MSG_WILLMSG, n + (topic ? 1u : 0u), &total);
    if (!p) return;
    if (topic) {
        *p++ = (uint8_t)((c->will_qos << 5) | (c->will_retain ? FLAG_RETAIN : 0));
        memcpy(p, c->will_topic, n);
    } else if (n) {
        memcpy(p, c->will_msg, n);
    }
    finish(c, total);
}

/* REGISTER from the gateway (wildcard subscriptions): remember and acknowledge, or refuse with a reason. */
static void gateway_register(snd_client *c, const uint8_t *b, size_t n, snd_event *ev) {
    size_t k = n - 4u;
    int slot = k == 0 ? SND_ERR_MALFORMED : claim_topic(c, (const char *)b + 4, k);
    uint8_t rc = SND_RC_ACCEPTED;
    ev->type = SND_EV_REGISTER;
    ev->u.registered.topic_id = get16(b);
    ev->u.registered.msg_id = get16(b + 2);
    if (slot < 0) {
        rc = slot == SND_ERR_NO_ROOM ? SND_RC_CONGESTION : SND_RC_NOT_SUPPORTED;
        ev->u.registered.status = (snd_status)slot;
    } else {
        slot_set_id(c, slot, ev->u.registered.topic_id);
        ev->u.registered.topic = slot_name(c, slot);
    }
    send_ack(c, MSG_REGACK, ev->u.registered.topic_id, ev->u.registered.msg_id, rc);
}

static void regack(snd_client *c, const uint8_t *b, snd_event *ev) {
    ev->type = SND_EV_REGACK;
    ev->u.ack.topic_id = get16(b);
    ev->u.ack.msg_id = get16(b + 2);
    ev->u.ack.rc = (snd_return_code)b[4];
    if (!c->reg.msg_id || ev->u.ack.msg_id != c->reg.msg_id) return;
    c->reg.msg_id = 0;
    if (c->reg_slot < 0) return;
    ev->u.ack.topic = slot_name(c, c->reg_slot);
    if (ev->u.ack.rc == SND_RC_ACCEPTED) {
        slot_set_id(c, c->reg_slot, ev->u.ack.topic_id);
    }
}

static void suback(snd_client *c, const uint8_t *b, snd_event *ev) {
    ev->type = SND_EV_SUBACK;
    ev->u.ack.qos = (uint8_t)((b[0] >> 5) & 3u);
    ev->u.ack.topic_id = get16(b + 1);
    ev->u.ack.msg_id = get16(b + 3);
    ev->u.ack.rc = (snd_return_code)b[5];
    if (!c->sub.msg_id || ev->u.ack.msg_id != c->sub.msg_id) return;
    c->sub.msg_id = 0;
    c->sub_filter = 0;
    if (c->sub_slot < 0) return;
    ev->u.ack.topic = slot_name(c, c->sub_slot);
    if (ev->u.ack.rc == SND_RC_ACCEPTED && ev->u.ack.topic_id) slot_set_id(c, c->sub_slot, ev->u.ack.topic_id);
}

static void puback(snd_client *c, const uint8_t *b, snd_event *ev) {
    ev->type = SND_EV_PUBACK;
    ev->u.ack.topic_id = get16(b);
    ev->u.ack.msg_id = get16(b + 2);
    ev->u.ack.rc = (snd_return_code)b[4];
    ev->u.ack.topic = snd_client_topic_name(c, ev->u.ack.topic_id);
    if (c->pub.msg_id && ev->u.ack.msg_id == c->pub.msg_id) c->pub.msg_id = 0;
    if (ev->u.ack.rc == SND_RC_INVALID_TOPIC_ID) {
        /* The gateway no longer knows the id (a new session): forget it, so the application registers again. */
        int i;
        for (i = 0; i < c->cfg.topic_count; i++) {
            if (slot_id(c, i) == ev->u.ack.topic_id) slot_set_id(c, i, 0);
        }
    }
}

/* The rest of the message after its header, whose size is checked against len; NULL if malformed. */
static const uint8_t *body(const uint8_t *msg, size_t len, size_t *h) {
    if (msg[0] == 0x01) {
        if (len < 4 || get16(msg + 1) != len) return 0;
        *h = 4;
    } else {
        if (msg[0] != len) return 0;
        *h = 2;
    }
    return msg + *h;
}

void snd_client_received(snd_client *c, const uint8_t *msg, size_t len) {
    snd_event ev;
    size_t h = 0, n;
    const uint8_t *b;
    uint8_t type;
    memset(&ev, 0, sizeof ev);
    if (len < 2) return;
    if (len >= 4 && msg[1] == MSG_ENCAPSULATED) {
        /* Forwarder Encapsulation: msg[0] is the header length; the node's own message follows. ctrl is ignored. */
        if (msg[0] < 4 || msg[0] > len || msg[0] - 3u > SND_NODE_ID_MAX) return;
        ev.type = SND_EV_FORWARDED;
        ev.u.forwarded.node_id = msg + 3;
        ev.u.forwarded.node_id_len = (uint8_t)(msg[0] - 3u);
        ev.u.forwarded.data = msg + msg[0];
        ev.u.forwarded.len = len - msg[0];
        emit(c, &ev);
        return;
    }
    b = body(msg, len, &h);
    if (!b) return;
    n = len - h;
    type = msg[h - 1u];
    switch (type) {
    case MSG_CONNACK:
        if (n != 1) return;
        c->state = b[0] == SND_RC_ACCEPTED ? SND_CLIENT_CONNECTED : SND_CLIENT_IDLE;
        ev.type = SND_EV_CONNACK;
        ev.u.connack.rc = (snd_return_code)b[0];
        break;
    case MSG_WILLTOPICREQ:
    case MSG_WILLMSGREQ:
        if (c->will_topic) {
            send_will_part(c, type == MSG_WILLTOPICREQ);
            return;
        }
        ev.type = SND_EV_WILL_REQUESTED;
        break;
    case MSG_REGACK:
        if (n != 5) return;
        regack(c, b, &ev);
        emit(c, &ev);
        if (c->reg_slot >= 0 && !c->reg.msg_id) {
            release_unanswered(c, c->reg_slot);
            c->reg_slot = -1;
        }
        return;
    case MSG_REGISTER:
        if (n < 4) return;
        gateway_register(c, b, n, &ev);
        break;
    case MSG_PUBLISH: {
        uint8_t qos;
        if (n < 5) return;
        qos = (uint8_t)((b[0] >> 5) & 3u);
        ev.type = SND_EV_PUBLISH;
        ev.u.publish.qos = qos == 3 ? -1 : (int8_t)qos;
        ev.u.publish.retain = (b[0] & FLAG_RETAIN) ? 1 : 0;
        ev.u.publish.topic_type = b[0] & 3u;
        ev.u.publish.topic_id = get16(b + 1);
        ev.u.publish.msg_id = get16(b + 3);
        ev.u.publish.topic = ev.u.publish.topic_type == 0 ? snd_client_topic_name(c, ev.u.publish.topic_id) : 0;
        ev.u.publish.data = b + 5;
        ev.u.publish.len = n - 5u;
        emit(c, &ev);
        if (qos == 1) send_ack(c, MSG_PUBACK, get16(b + 1), get16(b + 3), SND_RC_ACCEPTED);
        if (qos == 2) send_msg_id(c, MSG_PUBREC, get16(b + 3));
        return;
    }
    case MSG_PUBREL:
        if (n != 2) return;
        send_msg_id(c, MSG_PUBCOMP, get16(b));
        return;
    case MSG_PUBACK:
        if (n != 5) return;
        puback(c, b, &ev);
        break;
    case MSG_SUBACK:
        if (n != 6) return;
        suback(c, b, &ev);
        emit(c, &ev);
        if (c->sub_slot >= 0 && !c->sub.msg_id) {
            release_unanswered(c, c->sub_slot);
            c->sub_slot = -1;
        }
        return;
    case MSG_PINGRESP:
        ev.type = SND_EV_PINGRESP;
        break;
    case MSG_DISCONNECT:
        c->state = SND_CLIENT_IDLE;
        ev.type = SND_EV_DISCONNECT;
        break;
    default:
        ev.type = SND_EV_MQTTSN_OTHER;
        ev.u.bytes.data = msg;
        ev.u.bytes.len = len;
        break;
    }
    emit(c, &ev);
}

/* Retransmits r when its time has come, or gives it up after SND_RETRY_COUNT retransmissions. 1: send again. */
static int due(snd_client *c, snd_request *r, snd_request_kind kind, uint32_t now) {
    if (!r->msg_id || (uint32_t)(now - r->sent_ms) < SND_RETRY_MS) return 0;
    if (r->retries >= SND_RETRY_COUNT) {
        abandon(c, r, kind, SND_ABANDONED_TIMEOUT);
        return 0;
    }
    r->retries++;
    r->sent_ms = now;
    return 1;
}

void snd_client_poll(snd_client *c) {
    uint32_t now = now_ms(c);
    if (due(c, &c->reg, SND_REQUEST_REGISTER, now)) send_register(c, slot_name(c, c->reg_slot), c->reg.msg_id);
    if (due(c, &c->sub, SND_REQUEST_SUBSCRIBE, now)) send_subscribe(c, 1);
    if (due(c, &c->pub, SND_REQUEST_PUBLISH, now))
        send_publish(c, (uint8_t)(c->pub_flags | FLAG_DUP), c->pub_topic, c->pub.msg_id, c->cfg.pending_buf, c->pub_len);
}
