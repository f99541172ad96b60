/*
 * Board support for the MPS2 AN385 (Cortex-M3, 25 MHz) under qemu-system-arm: vector table and start-up, CMSDK
 * APB UART0 (the one `-serial pty` attaches to) polled, the FPGAIO 100 Hz counter as the millisecond clock.
 *
 *   UART0 at 0x40004000: DATA +0x00, STATE +0x04 (bit 0 TX full, bit 1 RX full), CTRL +0x08 (bit 0 TX enable,
 *   bit 1 RX enable), BAUDDIV +0x10.
 *   FPGAIO at 0x40028000: CLK100HZ +0x14, a free-running 100 Hz counter kept by the emulator's clock. It is the
 *   millisecond clock (10 ms steps): under qemu 7.2 the SysTick of this board ran about 5 times slower than
 *   its reload value implies (HELLO every 5 s instead of 1 s), while this counter follows the host clock.
 */
#include "../board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define UART0_DATA REG(0x40004000u)
#define UART0_STATE REG(0x40004004u)
#define UART0_CTRL REG(0x40004008u)
#define UART0_BAUDDIV REG(0x40004010u)
#define FPGAIO_CLK100HZ REG(0x40028014u)
#define CPU_HZ 25000000u

const char board_name[] = "cortex-m3";
const uint8_t board_id[] = {0xC0, 0x27, 0xE3, 0x00, 0x03, 0x85};
const uint8_t board_id_len = sizeof board_id;

extern int main(void);
extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;

void reset_handler(void);
void fault_handler(void);

void reset_handler(void) {
    uint32_t *src = &_data_load, *dst = &_data_start;
    while (dst < &_data_end) *dst++ = *src++;
    for (dst = &_bss_start; dst < &_bss_end;) *dst++ = 0;
    main();
    for (;;) {
    }
}

void fault_handler(void) {
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))&_stack_top, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler, fault_handler,
};

void board_init(void) {
    UART0_BAUDDIV = CPU_HZ / 115200u;
    UART0_CTRL = 0x3u;
}

void board_write(const uint8_t *bytes, size_t len) {
    while (len--) {
        while (UART0_STATE & 0x1u) {
        }
        UART0_DATA = *bytes++;
    }
}

int board_read(uint8_t *byte) {
    if (!(UART0_STATE & 0x2u)) return 0;
    *byte = (uint8_t)UART0_DATA;
    return 1;
}

uint32_t board_millis(void) { return FPGAIO_CLK100HZ * 10u; }

/* The UART is polled and no interrupt is enabled, so there is nothing to wait for. */
void board_idle(void) {}
