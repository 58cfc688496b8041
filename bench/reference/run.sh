#!/usr/bin/env bash
# Installs PyTorch (CPU use, from PyPI) into bench/reference/.venv once, then runs the
# reference A2C update with one thread.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import torch" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet torch
fi
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python a2c_update.py
