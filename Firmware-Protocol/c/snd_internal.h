#ifndef SND_INTERNAL_H
#define SND_INTERNAL_H
/* Shared between the library's translation units; not part of the public API. */
#include "snbridge_device.h"

uint32_t snd_now(snd_device *dev);
void snd_emit(snd_device *dev, snd_event *ev);
uint8_t *snd_tx_payload(snd_device *dev);
size_t snd_tx_offset(const snd_device *dev);
size_t snd_tx_payload_cap(const snd_device *dev);
/* Frames the len payload bytes already at snd_tx_payload() and writes them. */
int snd_send_built(snd_device *dev, uint8_t type, size_t len);
void snd_mqttsn_received(snd_device *dev, const uint8_t *msg, size_t len);
void snd_mqttsn_poll(snd_device *dev, uint32_t now);

#endif
