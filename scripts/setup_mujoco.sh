#!/usr/bin/env bash
# Installs MuJoCo 3.3.0 as a system library for SwiftPM's `CMuJoCo` target (pkg-config `mujoco`).
#
# Debian's libmujoco-dev is 2.2.2 and cannot load robosuite 1.5 scenes, so this takes the official
# binaries from the `mujoco==3.3.0` wheel (pip-installing it if missing): `libmujoco.so.3.3.0`
# goes to $PREFIX/lib (plus the `libmujoco.so` link, then `ldconfig`), `include/mujoco/*.h` to
# $PREFIX/include/mujoco, and a `mujoco.pc` to $PREFIX/lib/pkgconfig. Nothing needs
# LD_LIBRARY_PATH afterwards. Copies (not links) so a later pip upgrade cannot break the build.
#
# Safe to run again: prints one line per action it takes, and one summary line.
# Usage: scripts/setup_mujoco.sh            (PREFIX defaults to /usr/local; uses sudo when not root)
set -euo pipefail

version=3.3.0
prefix=${PREFIX:-/usr/local}
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
python=${PYTHON:-python3}
changed=0

say() { echo "setup_mujoco: $*" >&2; }

# 1. The wheel.
installed=$("$python" -c 'import importlib.metadata as m; print(m.version("mujoco"))' 2>/dev/null || true)
if [ "$installed" != "$version" ]; then
    say "pip install mujoco==$version (found: ${installed:-none})"
    "$python" -m pip install -q "mujoco==$version"
    changed=1
fi
wheel=$("$python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("mujoco").origin))')
lib_src="$wheel/libmujoco.so.$version"
inc_src="$wheel/include/mujoco"
[ -f "$lib_src" ] || { say "error: $lib_src not found in the mujoco wheel"; exit 1; }
[ -f "$inc_src/mujoco.h" ] || { say "error: $inc_src/mujoco.h not found in the mujoco wheel"; exit 1; }

# 2. Library, link, loader cache.
$sudo_cmd mkdir -p "$prefix/lib" "$prefix/include/mujoco" "$prefix/lib/pkgconfig"
if ! cmp -s "$lib_src" "$prefix/lib/libmujoco.so.$version"; then
    say "install $prefix/lib/libmujoco.so.$version"
    $sudo_cmd install -m 0755 "$lib_src" "$prefix/lib/libmujoco.so.$version"
    changed=1
fi
if [ "$(readlink "$prefix/lib/libmujoco.so" 2>/dev/null || true)" != "libmujoco.so.$version" ]; then
    say "link $prefix/lib/libmujoco.so -> libmujoco.so.$version"
    $sudo_cmd ln -sfn "libmujoco.so.$version" "$prefix/lib/libmujoco.so"
    changed=1
fi
if ! /sbin/ldconfig -p 2>/dev/null | grep -q "libmujoco.so.$version .*=> $prefix/lib/libmujoco.so.$version"; then
    say "ldconfig"
    $sudo_cmd /sbin/ldconfig
    changed=1
fi

# 3. Headers.
for header in "$inc_src"/*.h; do
    target="$prefix/include/mujoco/$(basename "$header")"
    if ! cmp -s "$header" "$target"; then
        say "install $target"
        $sudo_cmd install -m 0644 "$header" "$target"
        changed=1
    fi
done

# 4. pkg-config file.
pc=$(cat <<EOF
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: mujoco
Description: MuJoCo physics engine (official binaries from the mujoco==$version wheel)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lmujoco
EOF
)
if [ "$(cat "$prefix/lib/pkgconfig/mujoco.pc" 2>/dev/null || true)" != "$pc" ]; then
    say "write $prefix/lib/pkgconfig/mujoco.pc"
    printf '%s\n' "$pc" | $sudo_cmd tee "$prefix/lib/pkgconfig/mujoco.pc" >/dev/null
    changed=1
fi

# 5. Check: pkg-config finds it, and a C program links and runs without LD_LIBRARY_PATH.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
libs=$(pkg-config --libs mujoco) || { say "error: pkg-config cannot find mujoco"; exit 1; }
cflags=$(pkg-config --cflags mujoco)
cc=$(command -v cc || command -v clang || command -v gcc || true)
if [ -n "$cc" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    printf '#include <stdio.h>\n#include <mujoco/mujoco.h>\nint main(void){printf("%%s\\n", mj_versionString());return 0;}\n' >"$tmp/v.c"
    # shellcheck disable=SC2086
    "$cc" $cflags "$tmp/v.c" -o "$tmp/v" $libs
    got=$(env -u LD_LIBRARY_PATH "$tmp/v")
    [ "$got" = "$version" ] || { say "error: linked MuJoCo reports $got, expected $version"; exit 1; }
fi
if [ "$changed" -eq 0 ]; then
    say "MuJoCo $version already installed in $prefix ($libs)"
else
    say "MuJoCo $version installed in $prefix ($libs)"
fi
