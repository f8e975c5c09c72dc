// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h). The harnesses call it from their own `main`:
// SwiftPM links every executable with `main` aliased to `<Module>_main`, so libFuzzer's own `main` is never used.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
