//===- Launch.h - loom-run -n N ---------------------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_RUN_LAUNCH_H
#define LOOM_TOOLS_LOOM_RUN_LAUNCH_H

/// `loom-run -n N [--timeout S] PROGRAM [ARGS...]`: runs N ranks of a job.
int launchRanks(int argc, char **argv);

#endif // LOOM_TOOLS_LOOM_RUN_LAUNCH_H
