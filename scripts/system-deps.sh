#!/usr/bin/env bash
# Install the named Debian packages that are missing, when apt-get is available. A package whose
# command is already on the PATH (npm from NodeSource, say) counts as present.
set -euo pipefail
present() {
  case "$1" in
    npm) command -v npm >/dev/null 2>&1 ;;
    chromium) command -v chromium >/dev/null 2>&1 || [ -x "${YISHI_CHROMIUM:-/nonexistent}" ] ;;
    poppler-utils) command -v pdffonts >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 ;;
    wrk) command -v wrk >/dev/null 2>&1 ;;
    fonts-noto-cjk) [ "$(fc-list 2>/dev/null | grep -c 'Noto Serif CJK SC')" -gt 0 ] ;;
    *) dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}
missing=()
for pkg in "$@"; do
  present "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统软件包 (missing system packages): ${missing[*]} — 请用本系统的包管理器安装 (see README)." >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO=sudo
echo "安装系统软件包 (installing): ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
