#include <stdio.h>
#include "snbridge_device.h"
int main(void) { printf("snbridge-simdevice protocol %d\n", SND_PROTOCOL_VERSION); return 0; }
