# Sourced by the scripts: installs the Debian 12 packages a step needs, and only those missing.
# Uses sudo when not run as root (sudo only for apt-get).

eventscope_packages_build=(build-essential cmake ninja-build pkg-config git qt6-base-dev qt6-base-dev-tools
    qtkeychain-qt6-dev qt6-svg-dev libhiredis-dev libssl-dev libmozjs-102-dev)
eventscope_packages_run=(redis-server redis-tools openssl libmozjs-102-0)
# The Live pane's chart (ui/livechartwidget)
eventscope_packages_build+=(qt6-charts-dev)
eventscope_packages_run+=(libqt6charts6)
eventscope_packages_test=(clang libclang-rt-14-dev)
# scripts/package.sh: build and check the Debian package (icons are rendered from the SVG with rsvg-convert)
eventscope_packages_packaging=(dpkg-dev fakeroot file lintian desktop-file-utils appstream librsvg2-bin)

eventscope_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    echo "Installing: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}
