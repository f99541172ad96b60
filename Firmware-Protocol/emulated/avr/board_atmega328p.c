/*
 * Board support for an ATmega328P at 16 MHz (an Arduino Uno without the Arduino core), as simavr runs it:
 * USART0 at 115200 baud (U2X, UBRR 16) with a receive interrupt filling a ring buffer, Timer0 in CTC mode as
 * the millisecond clock.
 */
#include "../board.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <util/atomic.h>

const char board_name[] = "atmega328p";
const uint8_t board_id[] = {0xA7, 0x32, 0x8B, 0x00, 0x00, 0x01};
const uint8_t board_id_len = sizeof board_id;

static volatile uint32_t ms;
static volatile uint8_t rx_ring[64];
static volatile uint8_t rx_head, rx_tail;

ISR(TIMER0_COMPA_vect) { ms++; }

ISR(USART_RX_vect) {
    uint8_t byte = UDR0;
    uint8_t next = (uint8_t)((rx_head + 1u) % sizeof rx_ring);
    if (next != rx_tail) {   /* a full ring drops the byte, as a real UART overrun would */
        rx_ring[rx_head] = byte;
        rx_head = next;
    }
}

void board_init(void) {
    UCSR0A = _BV(U2X0);
    UBRR0 = 16;                                   /* 16 MHz / (8 * (16 + 1)) = 117647 baud, 2.1 % off 115200 */
    UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);           /* 8N1 */
    TCCR0A = _BV(WGM01);                          /* CTC */
    TCCR0B = _BV(CS01) | _BV(CS00);               /* clk / 64: 250 kHz */
    OCR0A = 249;                                  /* 1 ms */
    TIMSK0 = _BV(OCIE0A);
    sei();
}

void board_write(const uint8_t *bytes, size_t len) {
    while (len--) {
        loop_until_bit_is_set(UCSR0A, UDRE0);
        UDR0 = *bytes++;
    }
}

int board_read(uint8_t *byte) {
    if (rx_tail == rx_head) return 0;
    *byte = rx_ring[rx_tail];
    rx_tail = (uint8_t)((rx_tail + 1u) % sizeof rx_ring);
    return 1;
}

uint32_t board_millis(void) {
    uint32_t now;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { now = ms; }
    return now;
}

/* Idle sleep until the next interrupt (the 1 ms tick or a received byte), as a battery board would; checked with
   interrupts off so a byte arriving in between wakes the next sleep instead of being slept through. */
void board_idle(void) {
    set_sleep_mode(SLEEP_MODE_IDLE);
    cli();
    if (rx_tail == rx_head) {
        sleep_enable();
        sei();
        sleep_cpu();
        sleep_disable();
    }
    sei();
}
