#!/usr/bin/env bash
# Installs the Debian packages ViraLoop needs, only those that are missing.
# Usage: scripts/deps.sh [media|servers|tests|all]   (default: all)
#   media: what `viraloop generate` needs; servers: PostgreSQL, RabbitMQ, ClickHouse; tests: what the tests read outputs with
#   (Node and npm: the silo's build uses npm for the editor page's @microsoft/signalr, and the C2PA tests run c2pa-rs as
#   WebAssembly under Node from tests/c2pa-verify; Chromium for the browser tests)
set -euo pipefail
want="${1:-all}"
pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || pkgs+=("$2"); }
has() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
if [[ "$want" == media || "$want" == all ]]; then
  need ffmpeg ffmpeg
  need ffprobe ffmpeg
  need espeak-ng espeak-ng
  need fc-list fontconfig
  [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ]] || pkgs+=(fonts-dejavu-core)
  # Captions and thumbnails in every script: Noto for Arabic, Hebrew, Indic, Thai…; Noto CJK; Symbola for emoji
  # (an outline font: libass draws no colour bitmap glyphs).
  for p in fonts-noto-core fonts-noto-cjk fonts-symbola; do has "$p" || pkgs+=("$p"); done
fi
if [[ "$want" == tests || "$want" == all ]]; then
  need tesseract tesseract-ocr
  # OCR of captions in the scripts the language tests render.
  for l in pol rus ell ara heb hin tha chi-sim jpn; do
    [[ -f /usr/share/tesseract-ocr/5/tessdata/${l/-/_}.traineddata ]] || pkgs+=("tesseract-ocr-$l")
  done
  need node nodejs
  need npm npm
  need chromium chromium
fi
if [[ "$want" == servers || "$want" == all ]]; then
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || pkgs+=(rabbitmq-server)
  [[ -x /usr/lib/postgresql/15/bin/initdb ]] || pkgs+=(postgresql)
  # ClickHouse 18.16 (Debian's): the analytics store's tests and the ingest bench; scripts/servers.sh runs it unprivileged.
  [[ -x /usr/sbin/clickhouse-server ]] || pkgs+=(clickhouse-server)
  command -v clickhouse-client >/dev/null 2>&1 || pkgs+=(clickhouse-client)
fi
if ((${#pkgs[@]})); then
  echo "[deps] installing: ${pkgs[*]}" >&2
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
