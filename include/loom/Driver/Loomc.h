//===- Loomc.h - The loomc compiler driver ----------------------*- C++ -*-===//
//
// Part of Loom. `loomc` as a library entry point, so that tests and other
// front ends (the Python package) run exactly what the tool runs.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DRIVER_LOOMC_H
#define LOOM_DRIVER_LOOMC_H

namespace loom {

/// Runs loomc with the given command line. Returns the process exit code:
/// 0 on success, 1 when the input or the compilation fails.
int loomcMain(int argc, char **argv);

} // namespace loom

#endif // LOOM_DRIVER_LOOMC_H
