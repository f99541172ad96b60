/* What the device under test wrote, decoded back into frames: shared by the link and device tests. */
#ifndef SND_TEST_WIRE_CAPTURE_H
#define SND_TEST_WIRE_CAPTURE_H
#include "snd_codec.h"

#include <string.h>

typedef struct sent { int count; uint8_t types[32]; uint8_t payloads[32][300]; size_t lens[32]; } sent;
static sent S;

static void sent_frame(void *ctx, uint8_t type, const uint8_t *payload, size_t len) {
    (void)ctx;
    if (S.count < 32 && len <= 300) {
        S.types[S.count] = type;
        memcpy(S.payloads[S.count], payload, len);
        S.lens[S.count++] = len;
    }
}

/* Decodes the *len bytes at wire into S (replacing what was there) and empties the wire. */
static void drain_wire(const uint8_t *wire, size_t *len) {
    static uint8_t buf[SND_RX_BUF_SIZE(1024)];
    snd_deframer d;
    snd_deframer_callbacks cb = {sent_frame, 0, 0, 0};
    size_t i;
    memset(&S, 0, sizeof S);
    snd_deframer_init(&d, buf, sizeof buf, 1024, &cb);
    for (i = 0; i < *len; i++) snd_deframer_push(&d, wire[i]);
    *len = 0;
}
#endif
