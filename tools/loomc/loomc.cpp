//===- loomc.cpp - The Loom compiler --------------------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Driver/Loomc.h"

int main(int argc, char **argv) { return loom::loomcMain(argc, argv); }
