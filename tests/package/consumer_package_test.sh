#!/usr/bin/env bash
# baton as a dependency of other projects: installs the build into a fresh prefix, then builds
# and runs examples/consumer against it with find_package(baton), compiles a program with
# pkg-config's flags, and configures the consumer with add_subdirectory(baton).
# Usage: consumer_package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
build="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -f "$prefix/lib/cmake/baton/batonConfig.cmake" || { echo "no batonConfig.cmake"; exit 1; }
test -f "$prefix/include/baton/recorder/baton.capnp.h" || { echo "no generated schema header"; exit 1; }

# 1. find_package(baton) and a GoogleTest over a corpus file.
cmake -S "$src/examples/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCONSUMER_CORPUS="$src/corpora/stale_context.baton" > "$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" -j2 > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
(cd "$work/consumer" && ctest --output-on-failure)

# 2. pkg-config: a program that records a session with the flags baton.pc gives.
cat > "$work/record.cc" <<'CC'
#include "recorder/recorder.h"
int main(int argc, char** argv) {
  auto rec = baton::Recorder::Create(argv[1], baton::SessionHeader{"pkg-config"});
  if (!rec.ok()) return 1;
  (*rec)->Record("a", baton::MessageSend{"m1", "b", "ask", "hello", {}});
  return (*rec)->Close().ok() ? 0 : 1;
}
CC
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
g++ -o "$work/record" "$work/record.cc" $(pkg-config --cflags --libs baton)
"$work/record" "$work/pc.baton"
test -s "$work/pc.baton" || { echo "pkg-config program wrote nothing"; exit 1; }

# 3. add_subdirectory: baton's paths are its own, whatever project includes it.
cmake -S "$src/examples/consumer" -B "$work/subdir" -DBATON_SOURCE="$src" \
  -DCONSUMER_CORPUS="$src/corpora/stale_context.baton" > "$work/subdir.log" 2>&1 ||
  { cat "$work/subdir.log"; exit 1; }
grep -q "stale_context_test" "$work/subdir/Makefile" "$work/subdir/CMakeFiles/Makefile2" ||
  { echo "add_subdirectory configure did not produce the consumer"; exit 1; }
echo "consumer package test: find_package, pkg-config and add_subdirectory all work"
