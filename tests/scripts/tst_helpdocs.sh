#!/usr/bin/env bash
# `--help` of both programs, their man pages (packaging/man) and README.md agree: every option and every command
# that --help names is in the man page and in README.md (tst_helpdocs.sh BIN_DIR). A command or option added to the
# Usage text without documentation fails here, with the list of what is missing.
set -euo pipefail
bin=$(cd "${1:?usage: tst_helpdocs.sh BIN_DIR}" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
readme=$repo/README.md
checked=0
missing=()

# The man page's text with roff's escapes and font changes taken out (no groff needed).
man_text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g' "$1"; }

check_program() {
    local program=$1 help man_page
    help=$(env -u DISPLAY -u WAYLAND_DISPLAY "$bin/$program" --help)
    man_page=$(man_text "$repo/packaging/man/$program.1")
    local options commands item
    options=$(echo "$help" | grep -oE -- '--[a-z][a-z-]*[a-z]' | sort -u)
    # Commands: the lines of the "Commands:" section that start with two spaces and a word.
    commands=$(echo "$help" | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u)
    [ "$program" != eventscope-cli ] || [ -n "$commands" ] || missing+=("$program: no commands found in --help")
    for item in $options; do
        checked=$((checked + 1))
        grep -qF -- "$item" <<<"$man_page" || missing+=("$program.1 lacks $item")
        grep -qF -- "$item" "$readme" || missing+=("README.md lacks $item (from $program --help)")
    done
    for item in $commands; do
        checked=$((checked + 1))
        grep -qE "^\.BI? \"?$item( |\"|\$)" <<<"$man_page" ||
            missing+=("$program.1 lacks the command $item (a .B or .BI line under COMMANDS)")
        grep -qE "\| \`$item( |\`)" "$readme" || missing+=("README.md lacks the command $item (a table row \`$item ...\`)")
    done
    # The version the man page names is the program's.
    local version
    version=$("$bin/$program" --version | awk '{print $2}')
    grep -q "^\.TH .*\"Eventscope $version\"" "$repo/packaging/man/$program.1" ||
        missing+=("$program.1: .TH does not name Eventscope $version")
    checked=$((checked + 1))
}

check_program eventscope-cli
[ -x "$bin/eventscope" ] && check_program eventscope

if [ ${#missing[@]} -gt 0 ]; then
    printf 'FAIL: %s\n' "${missing[@]}" >&2
    echo "$((checked - ${#missing[@]})) passed, ${#missing[@]} failed"
    exit 1
fi
echo "$checked passed, 0 failed"
