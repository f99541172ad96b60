#include "snbridge_device.h"
int snd_protocol_version(void) { return SND_PROTOCOL_VERSION; }
