#!/usr/bin/env bash
# Packs the placeholder nuspec into packages/local (a .nupkg is a zip with the nuspec at its root).
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("../local/librdkafka.redist.1.9.2.1.nupkg", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("librdkafka.redist.nuspec", "librdkafka.redist.nuspec")
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /></Types>')
PY
