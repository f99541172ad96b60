/* CRC-16/CCITT-FALSE, COBS and the incremental deframer (PROTOCOL.md sections 2 and 6). */
#include "snd_codec.h"

#include <stdint.h>
#include <string.h>

uint16_t snd_crc16_update(uint16_t crc, uint8_t byte) {
    uint8_t i;
    crc ^= (uint16_t)((uint16_t)byte << 8);
    for (i = 0; i < 8; i++) {
        crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

uint16_t snd_crc16(const uint8_t *data, size_t len) {
    uint16_t crc = 0xFFFFu;
    while (len--) crc = snd_crc16_update(crc, *data++);
    return crc;
}

/* A COBS encoder that takes one byte at a time, so frames are encoded without a staging copy. */
typedef struct cobs_writer {
    uint8_t *out;
    size_t code_at;
    size_t w;
    uint8_t code;
} cobs_writer;

static void cobs_begin(cobs_writer *c, uint8_t *out) {
    c->out = out;
    c->code_at = 0;
    c->w = 1;
    c->code = 1;
}

/* last: no more bytes follow, so a full 254-byte block needs no further code byte. */
static void cobs_put(cobs_writer *c, uint8_t b, int last) {
    if (b == 0) {
        c->out[c->code_at] = c->code;
        c->code_at = c->w++;
        c->code = 1;
        return;
    }
    c->out[c->w++] = b;
    if (++c->code == 0xFF) {
        c->out[c->code_at] = 0xFF;
        c->code = 1;
        if (last) {
            c->code_at = SIZE_MAX;
        } else {
            c->code_at = c->w++;
        }
    }
}

static size_t cobs_end(cobs_writer *c) {
    if (c->code_at != SIZE_MAX) c->out[c->code_at] = c->code;
    return c->w;
}

/* out may start at least 2 + len/254 bytes before in (encoding in place), or be separate. */
size_t snd_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    cobs_writer c;
    size_t i;
    if (cap < SND_COBS_MAX_ENCODED(len)) return 0;
    cobs_begin(&c, out);
    for (i = 0; i < len; i++) cobs_put(&c, in[i], i + 1 == len);
    return cobs_end(&c);
}

long snd_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
    size_t r = 0, w = 0;
    while (r < len) {
        uint8_t code = in[r];
        size_t n;
        if (code == 0 || r + code > len) return SND_ERR_COBS;
        r++;
        for (n = 1; n < code; n++) {
            if (in[r] == 0) return SND_ERR_COBS;
            if (w >= cap) return SND_ERR_OVERSIZE;
            out[w++] = in[r++];
        }
        if (code < 0xFF && r < len) {
            if (w >= cap) return SND_ERR_OVERSIZE;
            out[w++] = 0;
        }
    }
    return (long)w;
}

size_t snd_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap) {
    cobs_writer c;
    size_t i;
    uint16_t crc = snd_crc16_update(0xFFFFu, type);
    if (cap < SND_COBS_MAX_ENCODED(len + 3u) + 2u) return 0;
    for (i = 0; i < len; i++) crc = snd_crc16_update(crc, payload[i]);
    out[0] = 0;
    cobs_begin(&c, out + 1);
    cobs_put(&c, type, 0);
    for (i = 0; i < len; i++) cobs_put(&c, payload[i], 0);
    cobs_put(&c, (uint8_t)(crc >> 8), 0);
    cobs_put(&c, (uint8_t)crc, 1);
    i = 1 + cobs_end(&c);
    out[i++] = 0;
    return i;
}

int snd_frame_type_known(uint8_t type) {
    return (type >= SND_FRAME_HELLO && type <= SND_FRAME_RESET) || type == SND_FRAME_MQTTSN;
}

void snd_deframer_init(snd_deframer *d, uint8_t *buf, size_t buf_size, size_t max_frame,
                       const snd_deframer_callbacks *cb) {
    memset(d, 0, sizeof *d);
    d->cb = *cb;
    d->buf = buf;
    d->cap = buf_size;
    if (max_frame > SND_FRAME_HARD_MAX) max_frame = SND_FRAME_HARD_MAX;
    if (SND_COBS_MAX_ENCODED(max_frame) > buf_size) max_frame = buf_size - buf_size / 255u - 1u;
    d->max_frame = max_frame;
}

void snd_deframer_reset(snd_deframer *d) {
    d->len = 0;
    d->overflow = 0;
    d->expect_frame = 0;
}

static void deframer_error(snd_deframer *d, int status) {
    if (d->cb.error) d->cb.error(d->cb.ctx, status);
}

static void deframer_console(snd_deframer *d, const uint8_t *bytes, size_t len) {
    if (d->cb.console && len) d->cb.console(d->cb.ctx, bytes, len);
}

/* Validates the buffered segment without modifying it (console text must survive a failed check). */
static int deframer_check(const snd_deframer *d, size_t *decoded_len) {
    size_t r = 0, n = 0;
    uint16_t crc = 0xFFFFu;
    uint8_t window[2] = {0, 0}, type = 0;
    while (r < d->len) {
        uint8_t code = d->buf[r++];
        uint8_t k;
        if (r + code - 1u > d->len) return SND_ERR_COBS;
        for (k = 0; k < code; k++) {
            uint8_t b;
            if (k + 1u == code) {
                if (code == 0xFF || r >= d->len) break;
                b = 0;
            } else {
                b = d->buf[r++];
            }
            /* The CRC covers everything but the last two decoded bytes: feed bytes two positions late. */
            if (n >= 2) crc = snd_crc16_update(crc, window[n & 1u]);
            if (n == 0) type = b;
            window[n & 1u] = b;
            if (++n > d->max_frame) return SND_ERR_OVERSIZE;
        }
    }
    if (n < 3) return SND_ERR_TOO_SHORT;
    if (window[(n - 2u) & 1u] != (uint8_t)(crc >> 8) || window[(n - 1u) & 1u] != (uint8_t)crc) return SND_ERR_BAD_CRC;
    if (!snd_frame_type_known(type)) return SND_ERR_UNKNOWN_TYPE;
    *decoded_len = n;
    return SND_OK;
}

static void deframer_segment_end(snd_deframer *d) {
    size_t n = 0;
    int status;
    if (d->overflow == 1) {
        deframer_error(d, SND_ERR_OVERSIZE);
        d->expect_frame = 0;
        return;
    }
    if (d->overflow == 2 || d->len == 0) {
        /* Console text or the trailing-then-leading delimiter pair: a frame comes next. */
        d->expect_frame = 1;
        return;
    }
    status = deframer_check(d, &n);
    if (status == SND_OK) {
        (void)snd_cobs_decode(d->buf, d->len, d->buf, n);
        if (d->cb.frame) d->cb.frame(d->cb.ctx, d->buf[0], d->buf + 1, n - 3u);
        d->expect_frame = 0;
    } else if (d->expect_frame) {
        deframer_error(d, status);
        d->expect_frame = 0;
    } else {
        deframer_console(d, d->buf, d->len);
        d->expect_frame = 1;
    }
}

void snd_deframer_push(snd_deframer *d, uint8_t byte) {
    if (byte == 0) {
        deframer_segment_end(d);
        d->len = 0;
        d->overflow = 0;
        return;
    }
    if (d->overflow == 1) return;
    if (d->overflow == 2) {
        deframer_console(d, &byte, 1);
        return;
    }
    if (d->len >= SND_COBS_MAX_ENCODED(d->max_frame) || d->len >= d->cap) {
        if (d->expect_frame) {
            d->overflow = 1;
        } else {
            deframer_console(d, d->buf, d->len);
            deframer_console(d, &byte, 1);
            d->overflow = 2;
        }
        d->len = 0;
        return;
    }
    d->buf[d->len++] = byte;
}
