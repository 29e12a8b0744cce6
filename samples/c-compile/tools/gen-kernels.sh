#!/bin/sh
# Generates the checksum kernels: one specialised function per polynomial.
n=${1:-400}
i=0
echo '#include <stdint.h>'
echo '#include <stddef.h>'
while [ $i -lt $n ]; do
cat <<C
uint32_t kernel_$i(const uint8_t *p, size_t len) {
    uint32_t crc = 0xffffffffu ^ $i;
    for (size_t k = 0; k < len; k++) {
        crc ^= p[k];
        for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0x$(printf %08x $((3988292384 ^ i*2654435761 % 4294967296)))u & (0u - (crc & 1u)));
        crc = (crc << 3) | (crc >> 29);
    }
    return crc ^ ($i * 2654435761u);
}
C
i=$((i+1))
done
