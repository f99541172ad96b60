#ifndef SND_CODEC_H
#define SND_CODEC_H
/*
 * Framing of the snbridge serial link (PROTOCOL.md sections 2 and 3): CRC-16/CCITT-FALSE, COBS, frames and the
 * incremental deframer. Usable alone, without the link or the MQTT-SN client.
 *
 *   wire:  00 | COBS( type | payload | CRC-16 hi lo ) | 00
 */
#include "snd_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SND_PROTOCOL_VERSION 1
#define SND_FRAME_HARD_MAX 1024u   /* decoded bytes: type + payload + CRC */
#define SND_FRAME_MIN_MAX 64u      /* smallest maximum a side may announce */

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

/* SND_PROTOCOL_VERSION, for bindings that cannot read the macro. */
int snd_protocol_version(void);

uint16_t snd_crc16_update(uint16_t crc, uint8_t byte);
uint16_t snd_crc16(const uint8_t *data, size_t len);
/* Encodes len bytes into out (no delimiters). Returns the encoded length, or 0 if cap is too small. */
size_t snd_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Decodes; in and out may be the same buffer. Returns the decoded length, or SND_ERR_COBS / SND_ERR_OVERSIZE. */
long snd_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);
/* Encodes a whole frame with both 0x00 delimiters. Returns the wire length, or 0 if cap is too small. */
size_t snd_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap);
/* 1 for the frame types of this protocol version (any other type is dropped as unknown, section 3). */
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

#ifdef __cplusplus
}
#endif
#endif
