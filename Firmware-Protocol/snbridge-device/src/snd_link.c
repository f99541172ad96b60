/* The device side of the link: handshake, liveness, RESET, frame transmission (PROTOCOL.md sections 4, 5, 8, 12). */
#include "snd_link.h"

#include <string.h>

int snd_protocol_version(void) { return SND_PROTOCOL_VERSION; }

uint32_t snd_link_millis(const snd_link *link) { return link->cfg.port.millis(link->cfg.port.ctx); }

static void emit(snd_link *link, snd_event *ev) {
    if (link->cfg.cb.event) link->cfg.cb.event(link->cfg.cb.ctx, ev);
}

/* The frame is assembled at the end of the transmit buffer, then COBS-encoded in place towards the start. */
static uint8_t *frame_area(snd_link *link) { return link->cfg.tx_buf + (link->cfg.tx_size - link->cfg.max_frame); }

static size_t payload_cap(const snd_link *link) {
    if (link->cfg.raw_mqttsn) return link->cfg.max_frame - 3u;
    return (link->state == SND_LINK_UP ? link->link_max_frame : SND_FRAME_MIN_MAX) - 3u;
}

uint8_t *snd_link_tx_area(snd_link *link, size_t *cap) {
    if (cap) *cap = payload_cap(link);
    return frame_area(link) + 1;
}

int snd_link_is_up(const snd_link *link) { return link->cfg.raw_mqttsn || link->state == SND_LINK_UP; }

int snd_link_send_built(snd_link *link, uint8_t type, size_t len) {
    uint8_t *frame = frame_area(link);
    uint16_t crc;
    size_t n;
    if (type == SND_FRAME_MQTTSN && !snd_link_is_up(link)) return SND_ERR_NOT_LINKED;
    if (len > payload_cap(link)) return SND_ERR_OVERSIZE;
    if (link->cfg.raw_mqttsn) {
        if (type != SND_FRAME_MQTTSN) return SND_ERR_ARGUMENT;
        link->cfg.port.write(link->cfg.port.ctx, frame + 1, len);
        return SND_OK;
    }
    frame[0] = type;
    crc = snd_crc16(frame, len + 1u);
    frame[len + 1u] = (uint8_t)(crc >> 8);
    frame[len + 2u] = (uint8_t)crc;
    link->cfg.tx_buf[0] = 0;
    n = snd_cobs_encode(frame, len + 3u, link->cfg.tx_buf + 1, link->cfg.tx_size - 2u);
    if (n == 0) return SND_ERR_OVERSIZE;
    link->cfg.tx_buf[n + 1u] = 0;
    link->cfg.port.write(link->cfg.port.ctx, link->cfg.tx_buf, n + 2u);
    return SND_OK;
}

int snd_link_send(snd_link *link, uint8_t type, const uint8_t *payload, size_t len) {
    size_t cap;
    uint8_t *p = snd_link_tx_area(link, &cap);
    if (len > cap) return SND_ERR_OVERSIZE;
    if (len) memmove(p, payload, len);
    return snd_link_send_built(link, type, len);
}

static size_t put_text(uint8_t *p, const char *text, size_t max) {
    size_t n = text ? strlen(text) : 0;
    if (n > max) n = max;
    p[0] = (uint8_t)n;
    if (n) memcpy(p + 1, text, n);
    return n + 1u;
}

static uint8_t version_min(const snd_link *link) {
    return link->cfg.version_min ? link->cfg.version_min : SND_PROTOCOL_VERSION;
}

static uint8_t version_max(const snd_link *link) {
    return link->cfg.version_max ? link->cfg.version_max : SND_PROTOCOL_VERSION;
}

int snd_link_hello(snd_link *link) {
    uint8_t *p = snd_link_tx_area(link, 0);
    size_t n = 0;
    if (link->cfg.raw_mqttsn) return SND_ERR_ARGUMENT;
    p[n++] = version_min(link);
    p[n++] = version_max(link);
    p[n++] = (uint8_t)(link->cfg.max_frame >> 8);
    p[n++] = (uint8_t)link->cfg.max_frame;
    p[n++] = link->cfg.device_id_len;
    memcpy(p + n, link->cfg.device_id, link->cfg.device_id_len);
    n += link->cfg.device_id_len;
    n += put_text(p + n, link->cfg.fw_name, SND_FW_TEXT_MAX);
    n += put_text(p + n, link->cfg.fw_version, SND_FW_TEXT_MAX);
    link->state = SND_LINK_HELLO_SENT;
    link->last_hello_ms = snd_link_millis(link);
    return snd_link_send_built(link, SND_FRAME_HELLO, n);
}

int snd_link_ping(snd_link *link, const uint8_t *token, size_t len) {
    if (len > SND_PING_TOKEN_MAX) return SND_ERR_ARGUMENT;
    link->last_tx_ping_ms = snd_link_millis(link);
    return snd_link_send(link, SND_FRAME_LINK_PING, token, len);
}

static void link_down(snd_link *link, snd_link_down_reason why) {
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_LINK_DOWN;
    ev.u.link_down.reason = why;
    link->state = SND_LINK_HELLO_SENT;
    emit(link, &ev);
    snd_link_hello(link);
}

static void hello_ack(snd_link *link, const uint8_t *p, size_t len) {
    snd_event ev;
    uint16_t gw_max;
    /* A HELLO-ACK outside our range or with a bad size is ignored; HELLO keeps being retried (section 9). */
    if (len != 5 || p[0] < version_min(link) || p[0] > version_max(link)) return;
    gw_max = (uint16_t)((p[1] << 8) | p[2]);
    if (gw_max < SND_FRAME_MIN_MAX) return;
    if (gw_max > SND_FRAME_HARD_MAX) gw_max = SND_FRAME_HARD_MAX;
    link->version = p[0];
    link->link_max_frame = gw_max < link->cfg.max_frame ? gw_max : link->cfg.max_frame;
    link->keepalive_s = (uint16_t)((p[3] << 8) | p[4]);
    link->state = SND_LINK_UP;
    link->last_tx_ping_ms = link->last_rx_ms;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_LINK_UP;
    ev.u.link_up.version = link->version;
    ev.u.link_up.keepalive_s = link->keepalive_s;
    ev.u.link_up.max_frame = link->link_max_frame;
    emit(link, &ev);
}

static void on_frame(void *ctx, uint8_t type, const uint8_t *p, size_t len) {
    snd_link *link = (snd_link *)ctx;
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    link->last_rx_ms = snd_link_millis(link);
    switch (type) {
    case SND_FRAME_HELLO_ACK:
        hello_ack(link, p, len);
        return;
    case SND_FRAME_REJECT:
        if (len != 3 || link->state == SND_LINK_UP) return;
        link->state = SND_LINK_REJECTED;
        ev.type = SND_EV_REJECTED;
        ev.u.rejected.reason = (snd_reject_reason)p[0];
        ev.u.rejected.gateway_min = p[1];
        ev.u.rejected.gateway_max = p[2];
        emit(link, &ev);
        return;
    case SND_FRAME_LINK_PING:
        if (len <= SND_PING_TOKEN_MAX) snd_link_send(link, SND_FRAME_LINK_PONG, p, len);
        return;
    case SND_FRAME_LINK_PONG:
        ev.type = SND_EV_LINK_PONG;
        ev.u.bytes.data = p;
        ev.u.bytes.len = len;
        emit(link, &ev);
        return;
    case SND_FRAME_RESET:
        if (len != 1) return;
        /* Any mode other than 0x01 is a re-hello (section 8). */
        link_down(link, p[0] == 1 ? SND_LINK_DOWN_REBOOT_REQUESTED : SND_LINK_DOWN_RESET);
        return;
    case SND_FRAME_MQTTSN:
        if (link->state != SND_LINK_UP) return;
        if (link->cfg.cb.payload) link->cfg.cb.payload(link->cfg.cb.ctx, p, len);
        return;
    default:
        return;
    }
}

static void on_console(void *ctx, const uint8_t *bytes, size_t len) {
    snd_link *link = (snd_link *)ctx;
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_CONSOLE;
    ev.u.bytes.data = bytes;
    ev.u.bytes.len = len;
    emit(link, &ev);
}

static void on_frame_error(void *ctx, int status) {
    snd_link *link = (snd_link *)ctx;
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_FRAME_ERROR;
    ev.u.frame_error.status = (snd_status)status;
    emit(link, &ev);
}

int snd_link_init(snd_link *link, const snd_link_config *cfg) {
    snd_deframer_callbacks cb;
    memset(link, 0, sizeof *link);
    if (!cfg || !cfg->port.write || !cfg->port.millis || !cfg->rx_buf || !cfg->tx_buf) return SND_ERR_ARGUMENT;
    if (cfg->max_frame < SND_FRAME_MIN_MAX || cfg->max_frame > SND_FRAME_HARD_MAX) return SND_ERR_ARGUMENT;
    if (cfg->rx_size < SND_RX_BUF_SIZE(cfg->max_frame) || cfg->tx_size < SND_TX_BUF_SIZE(cfg->max_frame))
        return SND_ERR_ARGUMENT;
    if (!cfg->raw_mqttsn && (cfg->device_id_len < 1 || cfg->device_id_len > SND_DEVICE_ID_MAX || !cfg->device_id))
        return SND_ERR_ARGUMENT;
    link->cfg = *cfg;
    link->state = cfg->manual_hello ? SND_LINK_IDLE : SND_LINK_HELLO_SENT;
    link->last_rx_ms = snd_link_millis(link);
    cb.frame = on_frame;
    cb.console = on_console;
    cb.error = on_frame_error;
    cb.ctx = link;
    snd_deframer_init(&link->deframer, cfg->rx_buf, cfg->rx_size, cfg->max_frame, &cb);
    if (cfg->raw_mqttsn || cfg->manual_hello) return SND_OK;
    return snd_link_hello(link);
}

/* Compatibility mode: MQTT-SN messages back to back, delimited by their own length field. */
static void raw_push(snd_link *link, uint8_t byte) {
    uint8_t *buf = link->cfg.rx_buf;
    if (link->raw_len < link->cfg.rx_size) buf[link->raw_len] = byte;
    link->raw_len++;
    if (link->raw_len == 1) {
        link->raw_expected = byte == 0x01 ? 0 : byte;
        if (byte != 0x01 && byte < 2) link->raw_len = 0; /* not a length: drop and resynchronise */
        return;
    }
    if (link->raw_expected == 0) {
        if (link->raw_len == 3) {
            link->raw_expected = (size_t)((buf[1] << 8) | buf[2]);
            if (link->raw_expected < 4) link->raw_len = 0;
        }
        return;
    }
    if (link->raw_len == link->raw_expected) {
        if (link->raw_len <= link->cfg.rx_size && link->cfg.cb.payload)
            link->cfg.cb.payload(link->cfg.cb.ctx, buf, link->raw_len);
        link->raw_len = 0;
    }
}

void snd_link_feed(snd_link *link, const uint8_t *bytes, size_t len) {
    size_t i;
    for (i = 0; i < len; i++) {
        if (link->cfg.raw_mqttsn) {
            raw_push(link, bytes[i]);
        } else {
            snd_deframer_push(&link->deframer, bytes[i]);
        }
    }
}

void snd_link_poll(snd_link *link) {
    uint32_t now, k, silent;
    if (link->cfg.raw_mqttsn) return;
    now = snd_link_millis(link);
    if (link->state == SND_LINK_HELLO_SENT) {
        if ((uint32_t)(now - link->last_hello_ms) >= SND_HELLO_RETRY_MS) snd_link_hello(link);
        return;
    }
    if (link->state != SND_LINK_UP || !link->keepalive_s) return;
    /* Section 5: the gateway pings after K of silence, the device only after 2K, so a healthy link carries only
       the gateway's pings; 3K of silence means the link is lost. */
    k = (uint32_t)link->keepalive_s * 1000u;
    silent = now - link->last_rx_ms;
    if (silent >= 3u * k) {
        link_down(link, SND_LINK_DOWN_SILENCE);
    } else if (silent >= 2u * k && (uint32_t)(now - link->last_tx_ping_ms) >= k) {
        snd_link_ping(link, 0, 0);
    }
}
