#!/usr/bin/env bash
# The packages, built and checked as a user gets them: a Release build with Debian's hardening flags, CPack's .deb
# and .tar.gz, lintian (no errors or warnings), desktop-file-validate and appstreamcli (clean), then the .deb
# installed with apt on this machine, the installed programs run against a private redis-server (eventscope-cli, and
# the window drawn offscreen from the installed binary), and the package removed again with whatever apt pulled in.
#   scripts/package.sh                 all of it (installing needs root, or sudo)
#   scripts/package.sh --no-install    build and check the packages only
# The packages are left in build/package/packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

install=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-install) install=0; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "package.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

source scripts/deps.sh
source scripts/redis.sh
eventscope_install "${eventscope_packages_build[@]}" "${eventscope_packages_run[@]}" \
    "${eventscope_packages_packaging[@]}"

fail() { echo "package.sh: $*" >&2; exit 1; }

build=${EVENTSCOPE_PACKAGE_BUILD:-$root/build/package}
out=$build/packages
tmp=$(mktemp -d /tmp/eventscope-package.XXXXXX)
chmod 755 "$tmp" # apt's _apt user reads the .deb from here
redis_pid=""
installed=0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

cleanup() {
    local rc=$?
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    if [ "$installed" = 1 ]; then
        echo "== removing the package and what apt installed with it"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q eventscope >/dev/null || rc=1
        dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' | awk '$1 ~ /^.i/ {print $2}' | sort \
            >"$tmp/packages-after"
        local extra
        extra=$(comm -13 "$tmp/packages-before" "$tmp/packages-after" | tr '\n' ' ')
        if [ -n "${extra// /}" ]; then
            echo "   also removing: $extra"
            # shellcheck disable=SC2086
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $extra >/dev/null || rc=1
        fi
        if dpkg-query -W -f='${db:Status-Abbrev}' eventscope 2>/dev/null | grep -q '^.i'; then
            echo "package.sh: eventscope is still installed" >&2
            rc=1
        fi
    fi
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== release build with Debian's hardening flags"
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DEVENTSCOPE_BUILD_TESTS=OFF -DEVENTSCOPE_BUILD_BENCH=OFF -DWARNINGS_ARE_ERRORS=ON \
    -DCMAKE_C_FLAGS="$CPPFLAGS $CFLAGS" -DCMAKE_CXX_FLAGS="$CPPFLAGS $CXXFLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" >/dev/null
cmake --build "$build" -j"$(nproc)"

echo "== cpack: DEB and TGZ"
rm -rf "$out"
cpack --config "$build/CPackConfig.cmake" -B "$out"
version=$(sed -n 's/^project(Eventscope VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
debs=("$out"/eventscope_*.deb)
tgzs=("$out"/eventscope-*.tar.gz)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $out"
[ ${#tgzs[@]} -eq 1 ] && [ -f "${tgzs[0]}" ] || fail "expected one .tar.gz in $out"
deb=${debs[0]}
tgz=${tgzs[0]}
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

echo "== the .deb and the .tar.gz hold the same files"
dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sed 's|^\./usr/||' | sort >"$tmp/deb-files"
tar -tzf "$tgz" | grep -v '/$' | sed 's|^[^/]*/||' | sort >"$tmp/tgz-files"
diff -u "$tmp/deb-files" "$tmp/tgz-files" || fail "the .deb and the .tar.gz differ"
for f in bin/eventscope bin/eventscope-cli share/man/man1/eventscope.1.gz share/man/man1/eventscope-cli.1.gz \
    share/applications/io.github.eventscope.eventscope.desktop \
    share/metainfo/io.github.eventscope.eventscope.metainfo.xml \
    share/icons/hicolor/scalable/apps/io.github.eventscope.eventscope.svg \
    share/icons/hicolor/16x16/apps/io.github.eventscope.eventscope.png \
    share/icons/hicolor/512x512/apps/io.github.eventscope.eventscope.png \
    share/doc/eventscope/copyright share/doc/eventscope/changelog.Debian.gz libexec/eventscope/eventscope-sandbox; do
    grep -qx "$f" "$tmp/deb-files" || fail "the package lacks /usr/$f"
done
sed 's|^|   /usr/|' "$tmp/deb-files"

echo "== lintian"
# Errors and warnings fail; the few overrides are in packaging/debian/lintian-overrides, each with its reason.
lintian --fail-on error,warning --display-info --tag-display-limit 0 "$deb"
echo "   lintian: clean"

echo "== desktop-file-validate and appstreamcli"
dpkg-deb -x "$deb" "$tmp/root"
desktop=$tmp/root/usr/share/applications/io.github.eventscope.eventscope.desktop
metainfo=$tmp/root/usr/share/metainfo/io.github.eventscope.eventscope.metainfo.xml
dfv=$(desktop-file-validate "$desktop" 2>&1) || { echo "$dfv"; fail "desktop-file-validate failed"; }
[ -z "$dfv" ] || { echo "$dfv"; fail "desktop-file-validate is not clean"; }
echo "   desktop-file-validate: clean"
# No network here, so the screenshot URLs are checked against the repository instead of fetched (--no-net).
asv=$(appstreamcli validate --no-net --pedantic "$metainfo" 2>&1) || { echo "$asv"; fail "appstreamcli validate failed"; }
echo "$asv"
if echo "$asv" | grep -qE '^[EWIP]: '; then fail "appstreamcli validate is not clean"; fi
asv=$(appstreamcli validate-tree --no-net --pedantic "$tmp/root" 2>&1) || { echo "$asv"; fail "appstreamcli validate-tree failed"; }
if echo "$asv" | grep -qE '^[EWIP]: '; then echo "$asv"; fail "appstreamcli validate-tree is not clean"; fi
echo "   appstreamcli validate-tree: clean"
grep -o 'https://raw.githubusercontent.com/eventscope/eventscope/main/[^<]*' "$metainfo" | while read -r url; do
    [ -f "${url#https://raw.githubusercontent.com/eventscope/eventscope/main/}" ] || fail "metainfo screenshot $url is not in the repository"
done

[ "$install" = 1 ] || { echo "== packages in $out (not installed: --no-install)"; exit 0; }

echo "== apt-get install ./$(basename "$deb")"
if dpkg-query -W -f='${db:Status-Abbrev}' eventscope 2>/dev/null | grep -q '^.i'; then
    fail "eventscope is installed already; remove it first (apt-get purge eventscope) so that this check leaves the machine as it found it"
fi
dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' | awk '$1 ~ /^.i/ {print $2}' | sort >"$tmp/packages-before"
cp "$deb" "$tmp/"
installed=1
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$tmp/$(basename "$deb")"

echo "== the installed programs"
[ "$(command -v eventscope)" = /usr/bin/eventscope ] || fail "eventscope is not /usr/bin/eventscope"
[ "$(command -v eventscope-cli)" = /usr/bin/eventscope-cli ] || fail "eventscope-cli is not /usr/bin/eventscope-cli"
# Without a display: --version and --help must not need one.
v=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM eventscope --version)
[ "$v" = "eventscope $version" ] || fail "eventscope --version printed \"$v\""
v=$(eventscope-cli --version)
[ "$v" = "eventscope-cli $version" ] || fail "eventscope-cli --version printed \"$v\""
echo "   $(eventscope --version); $(eventscope-cli --version)"
env -u DISPLAY eventscope --help | grep -q -- '--screenshot FILE' || fail "eventscope --help"
eventscope-cli --help | grep -q '^Commands:' || fail "eventscope-cli --help"
for page in eventscope.1.gz eventscope-cli.1.gz; do
    # (Minimal container images tell dpkg not to unpack man pages at all; then there is nothing to find.)
    [ -s "/usr/share/man/man1/$page" ] || grep -qs '^path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/* ||
        fail "/usr/share/man/man1/$page is not installed"
done

mkdir "$tmp/redis"
eventscope_start_redis "$tmp/redis" || fail "redis-server did not start"
port=$eventscope_redis_port
redis_pid=$eventscope_redis_pid
url="redis://127.0.0.1:$port/0"
echo "   test redis-server at $url"

eventscope-cli --url "$url" ping
eventscope-cli --url "$url" seed --stream-count 7 --commits 700 --mixed
n=$(eventscope-cli --url "$url" streams | wc -l)
[ "$n" -eq 7 ] || fail "streams listed $n streams, not 7"
n=$(eventscope-cli --url "$url" --format json events '$all' | grep -c '^{"stream":')
[ "$n" -eq 700 ] || fail "events \$all printed $n commits, not 700"
eventscope-cli --url "$url" append installed-check --expect none '{"type":"Installed","ok":true}' >/dev/null
line=$(eventscope-cli --url "$url" --format json events installed-check)
echo "$line" | grep -q '"version":1' && echo "$line" | grep -q '"payload":{"type":"Installed","ok":true}' ||
    fail "append then events printed: $line"
rc=0
eventscope-cli --url "$url" append installed-check --expect none '{"type":"Twice"}' 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "a second append --expect none exited $rc, not 3 (conflict)"
echo "   eventscope-cli: ping, seed, streams, events, append (and its conflict) work"
# A projection through the installed sandbox (found in libexec): one event in installed-check.
printf 'function reduce(s, e) { s.n = (s.n || 0) + 1; return s; }\n' >"$tmp/count.js"
state=$(cd / && eventscope-cli --url "$url" replay installed-check --projection "$tmp/count.js" 2>/dev/null) ||
    fail "eventscope-cli replay with the installed sandbox failed"
[ "$state" = '{"n":1}' ] || fail "replay printed $state, not {\"n\":1}"
echo "   eventscope-cli replay: the installed sandbox ran a projection"

shot=$tmp/window.png
QT_QPA_PLATFORM=offscreen timeout 120 eventscope "$url" --screenshot "$shot"
what=$(file -b "$shot")
size=$(stat -c %s "$shot")
echo "   $what, $size bytes"
[[ "$what" == "PNG image data, 1280 x 800,"* ]] || fail "the screenshot is not a 1280x800 PNG: $what"
# An empty window compresses to a few KiB; one showing streams, events and a payload does not.
[ "$size" -gt 30000 ] || fail "the screenshot is only $size bytes: is the window empty?"
[ -n "${EVENTSCOPE_PACKAGE_SCREENSHOT:-}" ] && cp "$shot" "$EVENTSCOPE_PACKAGE_SCREENSHOT"

echo "== the packages pass: $(basename "$deb"), $(basename "$tgz")"
