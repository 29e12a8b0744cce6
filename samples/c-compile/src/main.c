/* crc: prints the checksum of its arguments with each generated kernel. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

uint32_t kernel_0(const uint8_t *p, size_t len);
uint32_t kernel_1999(const uint8_t *p, size_t len);

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "migrator";
    printf("%08x %08x\n", (unsigned)kernel_0((const uint8_t *)text, strlen(text)),
           (unsigned)kernel_1999((const uint8_t *)text, strlen(text)));
    return 0;
}
