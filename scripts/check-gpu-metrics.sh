#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: shows Logbook's GPU metrics next to nvidia-smi's readings.
# Usage: scripts/check-gpu-metrics.sh   (builds the SystemMetricsCheck example first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product SystemMetricsCheck >/dev/null
echo "== Logbook (NVML through dlopen) =="
LOGBOOK_LOG_LEVEL=debug .build/release/SystemMetricsCheck | grep -E 'gpu' || echo "(no GPU metrics: is libnvidia-ml.so.1 installed?)"
echo
echo "== nvidia-smi =="
nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,power.draw,power.limit,temperature.gpu \
    --format=csv,units
echo
echo "Compare: gpu_<i>_memory_usage_megabytes ≈ memory.used MiB × 1.048576; power and temperature within a"
echo "sample's drift; utilization depends on load at the moment of each reading."
