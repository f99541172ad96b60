#ifndef SNBRIDGE_CLIBUDEV_SHIM_H
#define SNBRIDGE_CLIBUDEV_SHIM_H
#include <libudev.h>
#endif
