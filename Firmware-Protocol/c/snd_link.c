/* The device side of the link: handshake, liveness, RESET, frame transmission (PROTOCOL.md sections 4, 5, 8). */
#include "snbridge_device.h"
#include "snd_internal.h"

#include <string.h>

int snd_protocol_version(void) { return SND_PROTOCOL_VERSION; }

/* On AVR string constants are copied to RAM at start-up, so the descriptions are left out unless asked for. */
#ifndef SND_STATUS_TEXT
#ifdef __AVR__
#define SND_STATUS_TEXT 0
#else
#define SND_STATUS_TEXT 1
#endif
#endif

const char *snd_status_text(int status) {
#if !SND_STATUS_TEXT
    return status >= 0 ? "ok" : "error";
#else
    switch (status) {
    case SND_OK: return "ok";
    case SND_ERR_COBS: return "COBS error";
    case SND_ERR_TOO_SHORT: return "frame too short";
    case SND_ERR_BAD_CRC: return "bad CRC";
    case SND_ERR_UNKNOWN_TYPE: return "unknown frame type";
    case SND_ERR_OVERSIZE: return "frame too large";
    case SND_ERR_NOT_LINKED: return "link not up";
    case SND_ERR_ARGUMENT: return "invalid argument";
    case SND_ERR_BUSY: return "operation already in flight";
    case SND_ERR_NO_ROOM: return "topic table full";
    case SND_ERR_MALFORMED: return "malformed message";
    case SND_ERR_TIMEOUT: return "no answer after retries";
    default: return "unknown status";
    }
#endif
}

uint32_t snd_now(snd_device *dev) { return dev->cfg.port.millis(dev->cfg.port.ctx); }

void snd_emit(snd_device *dev, snd_event *ev) {
    if (dev->cfg.on_event) dev->cfg.on_event(dev->cfg.event_ctx, ev);
}

/* Payload area of the transmit buffer: frames are assembled here, then COBS-encoded in place towards the start. */
uint8_t *snd_tx_payload(snd_device *dev) { return dev->cfg.tx_buf + snd_tx_offset(dev) + 1; }

size_t snd_tx_offset(const snd_device *dev) {
    return dev->cfg.tx_size - dev->cfg.max_frame;
}

size_t snd_tx_payload_cap(const snd_device *dev) {
    size_t limit = dev->link == SND_LINK_UP ? dev->link_max_frame : SND_FRAME_MIN_MAX;
    if (dev->cfg.raw_mqttsn) limit = dev->cfg.max_frame;
    return limit - 3u;
}

int snd_send_built(snd_device *dev, uint8_t type, size_t len) {
    uint8_t *frame = dev->cfg.tx_buf + snd_tx_offset(dev);
    uint16_t crc;
    size_t n;
    if (len > snd_tx_payload_cap(dev)) return SND_ERR_OVERSIZE;
    if (dev->cfg.raw_mqttsn) {
        if (type != SND_FRAME_MQTTSN) return SND_ERR_ARGUMENT;
        dev->cfg.port.write(dev->cfg.port.ctx, frame + 1, len);
        return SND_OK;
    }
    frame[0] = type;
    crc = snd_crc16(frame, len + 1u);
    if (dev->corrupt_next) {
        crc ^= 0x0001u;
        dev->corrupt_next = 0;
    }
    frame[len + 1u] = (uint8_t)(crc >> 8);
    frame[len + 2u] = (uint8_t)crc;
    dev->cfg.tx_buf[0] = 0;
    n = snd_cobs_encode(frame, len + 3u, dev->cfg.tx_buf + 1, dev->cfg.tx_size - 2u);
    if (n == 0) return SND_ERR_OVERSIZE;
    dev->cfg.tx_buf[n + 1u] = 0;
    dev->cfg.port.write(dev->cfg.port.ctx, dev->cfg.tx_buf, n + 2u);
    return SND_OK;
}

int snd_send_frame(snd_device *dev, uint8_t type, const uint8_t *payload, size_t len) {
    if (len > snd_tx_payload_cap(dev)) return SND_ERR_OVERSIZE;
    if (len) memmove(snd_tx_payload(dev), payload, len);
    return snd_send_built(dev, type, len);
}

static size_t put_text(uint8_t *p, const char *text, size_t max) {
    size_t n = text ? strlen(text) : 0;
    if (n > max) n = max;
    p[0] = (uint8_t)n;
    if (n) memcpy(p + 1, text, n);
    return n + 1u;
}

int snd_hello(snd_device *dev) {
    uint8_t *p = snd_tx_payload(dev);
    size_t n = 0;
    if (dev->cfg.raw_mqttsn) return SND_ERR_ARGUMENT;
    p[n++] = dev->cfg.version_min ? dev->cfg.version_min : SND_PROTOCOL_VERSION;
    p[n++] = dev->cfg.version_max ? dev->cfg.version_max : SND_PROTOCOL_VERSION;
    p[n++] = (uint8_t)(dev->cfg.max_frame >> 8);
    p[n++] = (uint8_t)dev->cfg.max_frame;
    p[n++] = dev->cfg.device_id_len;
    memcpy(p + n, dev->cfg.device_id, dev->cfg.device_id_len);
    n += dev->cfg.device_id_len;
    n += put_text(p + n, dev->cfg.fw_name, SND_FW_TEXT_MAX);
    n += put_text(p + n, dev->cfg.fw_version, SND_FW_TEXT_MAX);
    dev->link = SND_LINK_HELLO_SENT;
    dev->last_hello_ms = snd_now(dev);
    return snd_send_built(dev, SND_FRAME_HELLO, n);
}

int snd_is_linked(const snd_device *dev) { return dev->cfg.raw_mqttsn || dev->link == SND_LINK_UP; }

int snd_link_ping(snd_device *dev, const uint8_t *token, size_t len) {
    if (len > SND_PING_TOKEN_MAX) return SND_ERR_ARGUMENT;
    dev->last_tx_ping_ms = snd_now(dev);
    return snd_send_frame(dev, SND_FRAME_LINK_PING, token, len);
}

static void link_down(snd_device *dev, int why) {
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_LINK_DOWN;
    ev.rc = why;
    dev->link = SND_LINK_HELLO_SENT;
    snd_emit(dev, &ev);
    snd_hello(dev);
}

static void on_frame(void *ctx, uint8_t type, const uint8_t *p, size_t len) {
    snd_device *dev = (snd_device *)ctx;
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    dev->last_rx_ms = snd_now(dev);
    switch (type) {
    case SND_FRAME_HELLO_ACK: {
        uint8_t lo = dev->cfg.version_min ? dev->cfg.version_min : SND_PROTOCOL_VERSION;
        uint8_t hi = dev->cfg.version_max ? dev->cfg.version_max : SND_PROTOCOL_VERSION;
        uint16_t gw_max;
        if (len != 5 || p[0] < lo || p[0] > hi) return; /* ignore; HELLO keeps being retried */
        gw_max = (uint16_t)((p[1] << 8) | p[2]);
        if (gw_max < SND_FRAME_MIN_MAX) return;
        dev->version = p[0];
        dev->link_max_frame = gw_max < dev->cfg.max_frame ? gw_max : dev->cfg.max_frame;
        dev->keepalive_s = (uint16_t)((p[3] << 8) | p[4]);
        dev->link = SND_LINK_UP;
        dev->last_tx_ping_ms = dev->last_rx_ms;
        dev->deframer.max_frame = dev->cfg.max_frame;
        ev.type = SND_EV_LINK_UP;
        ev.version = dev->version;
        ev.keepalive = dev->keepalive_s;
        ev.max_frame = dev->link_max_frame;
        snd_emit(dev, &ev);
        return;
    }
    case SND_FRAME_REJECT:
        if (len != 3 || dev->link == SND_LINK_UP) return;
        dev->link = SND_LINK_REJECTED;
        ev.type = SND_EV_REJECTED;
        ev.rc = p[0];
        ev.qos = p[1];
        ev.version = p[2];
        snd_emit(dev, &ev);
        return;
    case SND_FRAME_LINK_PING:
        if (len <= SND_PING_TOKEN_MAX) snd_send_frame(dev, SND_FRAME_LINK_PONG, p, len);
        return;
    case SND_FRAME_LINK_PONG:
        ev.type = SND_EV_LINK_PONG;
        ev.data = p;
        ev.len = len;
        snd_emit(dev, &ev);
        return;
    case SND_FRAME_RESET:
        if (len != 1) return;
        link_down(dev, p[0] == 1 ? 2 : 1);
        return;
    case SND_FRAME_MQTTSN:
        if (dev->link != SND_LINK_UP) return;
        snd_mqttsn_received(dev, p, len);
        return;
    default:
        return;
    }
}

static void on_console(void *ctx, const uint8_t *bytes, size_t len) {
    snd_device *dev = (snd_device *)ctx;
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_CONSOLE;
    ev.data = bytes;
    ev.len = len;
    snd_emit(dev, &ev);
}

static void on_frame_error(void *ctx, int status) {
    snd_device *dev = (snd_device *)ctx;
    snd_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SND_EV_FRAME_ERROR;
    ev.rc = status;
    snd_emit(dev, &ev);
}

int snd_init(snd_device *dev, const snd_config *cfg) {
    snd_deframer_callbacks cb;
    memset(dev, 0, sizeof *dev);
    if (!cfg || !cfg->port.write || !cfg->port.millis || !cfg->rx_buf || !cfg->tx_buf) return SND_ERR_ARGUMENT;
    if (cfg->max_frame < SND_FRAME_MIN_MAX || cfg->max_frame > SND_FRAME_HARD_MAX) return SND_ERR_ARGUMENT;
    if (cfg->rx_size < SND_RX_BUF_SIZE(cfg->max_frame) || cfg->tx_size < SND_TX_BUF_SIZE(cfg->max_frame))
        return SND_ERR_ARGUMENT;
    if (!cfg->raw_mqttsn && (cfg->device_id_len < 1 || cfg->device_id_len > SND_DEVICE_ID_MAX || !cfg->device_id))
        return SND_ERR_ARGUMENT;
    dev->cfg = *cfg;
    dev->next_msg_id = 1;
    dev->register_slot = -1;
    dev->subscribe_slot = -1;
    dev->link = cfg->manual_hello ? SND_LINK_IDLE : SND_LINK_HELLO_SENT;
    dev->last_rx_ms = snd_now(dev);
    cb.frame = on_frame;
    cb.console = on_console;
    cb.error = on_frame_error;
    cb.ctx = dev;
    /* Until linked, only small frames are legal (PROTOCOL.md 2.4); our buffer still takes our own maximum. */
    snd_deframer_init(&dev->deframer, cfg->rx_buf, cfg->rx_size, cfg->max_frame, &cb);
    if (cfg->raw_mqttsn || cfg->manual_hello) return SND_OK;
    return snd_hello(dev);
}

/* Compatibility mode: MQTT-SN messages back to back, delimited by their own length field. */
static void raw_push(snd_device *dev, uint8_t byte) {
    uint8_t *buf = dev->cfg.rx_buf;
    if (dev->raw_len < dev->cfg.rx_size) buf[dev->raw_len] = byte;
    dev->raw_len++;
    if (dev->raw_len == 1) {
        dev->raw_expected = byte == 0x01 ? 0 : byte;
        if (byte != 0x01 && byte < 2) dev->raw_len = 0; /* not a length: drop and resynchronise */
        return;
    }
    if (dev->raw_expected == 0) {
        if (dev->raw_len == 3) {
            dev->raw_expected = (size_t)((buf[1] << 8) | buf[2]);
            if (dev->raw_expected < 4) dev->raw_len = 0;
        }
        return;
    }
    if (dev->raw_len == dev->raw_expected) {
        if (dev->raw_len <= dev->cfg.rx_size) snd_mqttsn_received(dev, buf, dev->raw_len);
        dev->raw_len = 0;
    }
}

void snd_feed(snd_device *dev, const uint8_t *bytes, size_t len) {
    size_t i;
    for (i = 0; i < len; i++) {
        if (dev->cfg.raw_mqttsn) {
            raw_push(dev, bytes[i]);
        } else {
            snd_deframer_push(&dev->deframer, bytes[i]);
        }
    }
}

void snd_poll(snd_device *dev) {
    uint32_t now = snd_now(dev);
    if (!dev->cfg.raw_mqttsn) {
        if (dev->link == SND_LINK_HELLO_SENT && (uint32_t)(now - dev->last_hello_ms) >= SND_HELLO_RETRY_MS) {
            snd_hello(dev);
        } else if (dev->link == SND_LINK_UP && dev->keepalive_s) {
            uint32_t k = (uint32_t)dev->keepalive_s * 1000u;
            uint32_t silent = now - dev->last_rx_ms;
            if (silent >= 3u * k) {
                link_down(dev, 0);
            } else if (silent >= k && (uint32_t)(now - dev->last_tx_ping_ms) >= k) {
                snd_link_ping(dev, 0, 0);
            }
        }
    }
    snd_mqttsn_poll(dev, now);
}
