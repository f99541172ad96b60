/* What the emulated-board application needs from a board: a UART, a millisecond clock, a name and an id. */
#ifndef EMULATED_BOARD_H
#define EMULATED_BOARD_H
#include <stddef.h>
#include <stdint.h>

void board_init(void);
/* Writes every byte (blocking). */
void board_write(const uint8_t *bytes, size_t len);
/* One received byte into *byte: 1, or 0 when none is waiting. */
int board_read(uint8_t *byte);
uint32_t board_millis(void);
/* Sleeps until the next interrupt when nothing is waiting to be read (or returns at once). */
void board_idle(void);

extern const char board_name[];          /* topic segment and client id suffix: "cortex-m3", "atmega328p" */
extern const uint8_t board_id[];         /* HELLO device id */
extern const uint8_t board_id_len;
#endif
