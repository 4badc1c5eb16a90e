#!/usr/bin/env bash
# The system packages the test suite uses: headless Chromium and its driver (browser tests),
# LibreOffice Calc (XLSX opened as a spreadsheet program would), gettext (catalogues), the
# PostgreSQL client (backups) and the DejaVu fonts. PDFs are read with PDFium from PyPI, so no
# PDF tool is needed. Missing ones are installed with apt-get when run as root; otherwise one
# line names them and the exit status is 1.
set -euo pipefail

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need chromium chromium
need chromedriver chromium-driver
need soffice libreoffice-calc-nogui
need msgfmt gettext
need pg_dump postgresql-client
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài các gói hệ thống còn thiếu / installing missing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi
echo "Thiếu gói hệ thống / missing system packages: ${missing[*]} — cài bằng / install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 1
