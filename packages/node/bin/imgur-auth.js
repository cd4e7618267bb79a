#!/usr/bin/env node
// The command-line tool, bundled at build time (see the build:bin script):
// one file loads in a fraction of the time of @effect/cli's ~600 modules.
import "../dist/cli/bin.js"
