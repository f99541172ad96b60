#!/usr/bin/env bash
# Builds every example of snbridge-device for an Arduino Uno the way the Arduino IDE does (the sketch as C++ after
# #include <Arduino.h>, the library's src/*.c as C, the real Arduino AVR core from Debian's arduino-core-avr,
# linked with --gc-sections) and prints the sketch's flash and static RAM as linked.
#
#   build_arduino_examples.sh <build dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/../../snbridge-device"
out="${1:-$here/../../build/arduino}"
core=/usr/share/arduino/hardware/arduino/avr/cores/arduino
variant=/usr/share/arduino/hardware/arduino/avr/variants/standard
if [ ! -f "$core/Arduino.h" ]; then
    echo "arduino: the Arduino AVR core is not installed (apt-get install arduino-core-avr)" >&2
    exit 1
fi
mcu=(-mmcu=atmega328p -DF_CPU=16000000L -DARDUINO=10807 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR)
common=(-c -g -Os -ffunction-sections -fdata-sections "${mcu[@]}" -I"$core" -I"$variant")
mkdir -p "$out/core"

# The core, once (its own warnings are the core's business: -w, as the IDE does). A core file that Debian's
# avr-gcc 5.4 cannot compile (WString.cpp's double buffer) is left out and named; if a sketch needed it, the link
# below fails.
rm -f "$out"/core/*.o
for f in "$core"/*.c; do avr-gcc "${common[@]}" -w -std=gnu11 "$f" -o "$out/core/$(basename "$f").o"; done
for f in "$core"/*.cpp; do
    avr-g++ "${common[@]}" -w -std=gnu++11 -fpermissive -fno-exceptions -fno-threadsafe-statics "$f" \
        -o "$out/core/$(basename "$f").o" 2>/dev/null || echo "arduino: core $(basename "$f") left out (does not build with $(avr-gcc -dumpversion))"
done
for f in "$core"/*.S; do avr-gcc "${common[@]}" -x assembler-with-cpp "$f" -o "$out/core/$(basename "$f").o"; done
rm -f "$out/core.a"
avr-gcc-ar rcs "$out/core.a" "$out"/core/*.o

# The library, warnings as errors.
mkdir -p "$out/lib"
for f in "$lib"/src/*.c; do
    avr-gcc "${common[@]}" -std=gnu11 -Wall -Wextra -Werror -I"$lib/src" "$f" -o "$out/lib/$(basename "$f").o"
done

for dir in "$lib"/examples/*/; do
    name="$(basename "$dir")"
    mkdir -p "$out/$name"
    { echo '#include <Arduino.h>'; echo "#line 1 \"$name.ino\""; cat "$dir/$name.ino"; } > "$out/$name/$name.ino.cpp"
    avr-g++ "${common[@]}" -std=gnu++11 -fno-exceptions -fno-threadsafe-statics -Wall -Wextra -Werror \
        -I"$lib/src" "$out/$name/$name.ino.cpp" -o "$out/$name/$name.ino.o"
    avr-gcc -Os -Wl,--gc-sections "${mcu[@]}" -o "$out/$name/$name.elf" "$out/$name/$name.ino.o" "$out"/lib/*.o \
        "$out/core.a" -lm
    read -r text data bss _ < <(avr-size "$out/$name/$name.elf" | tail -1)
    echo "arduino: $name (Uno, as linked with the Arduino core): flash $((text + data)) B of 32256, static RAM $((data + bss)) B of 2048"
done
