// libFuzzer's documented driver entry point (compiler-rt FuzzerInterface.h, LLVM >= 11).
// SwiftPM links executables with `main` aliased to `<Module>_main`, which hides libFuzzer's
// own `main`; the fuzz executables therefore define `<Module>_main` and call this driver.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
