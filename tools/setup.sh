#!/usr/bin/env bash
# 一次性准备本机环境：系统软件包、.venv 中的 Python 依赖；加 --test 还会安装测试所需工具。
# Sets up a fresh Debian machine: system packages (skipping those present), .venv, and with --test
# the browser and checkers the tests use. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# What WeasyPrint needs to render Chinese PDFs quickly and correctly.
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)
if [ "$want_tests" = 1 ]; then
  # Real clients of the output: Chromium (axe-core), Java (Nu Html Checker), poppler (PDF text), npm.
  packages+=(chromium chromium-driver default-jre-headless poppler-utils nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    # A tool already on PATH from elsewhere (Node.js, Java) is good enough.
    case "$package" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
      default-jre-headless) command -v java >/dev/null && continue ;;
      python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null && continue ;;
    esac
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "安装系统软件包：${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "缺少系统软件包：${missing[*]}" >&2
    echo "请让管理员以 root 身份运行：apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extra=""
[ "$want_tests" = 1 ] && extra="[test]"
stamp=".venv/.installed${extra}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
  touch "$stamp"
fi

if [ "$want_tests" = 1 ] && [ ! -f node_modules/.package-lock.json -o package.json -nt node_modules/.package-lock.json ]; then
  npm install --silent --no-audit --no-fund >/dev/null
fi
