#!/usr/bin/env bash
# The layering check: fails (exit 1) when a source file includes a header of a layer above its
# own. The layers point one way: amd <- media <- signaling <- control/campaign <- control/api,
# control/web (the dashboard's embedded files) <- control/api, control/webhooks (webhooks for
# CRMs: payload, signer, delivery) <- control/campaign and control/api,
# and control/campaign -> sql; cli/, tests/, bench/ and fixtures/ may include anything.
# The build enforces the same through include paths (hark_headers in CMakeLists.txt); this
# check also catches an include the build would allow by accident (a wrong link line).
#   check_layers.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_layers.sh SOURCE_ROOT}

# What each folder may include, besides the standard and system headers.
declare -A allowed=(
  [amd]="amd"
  [media]="amd media"
  [signaling]="amd media signaling"
  [sql]="sql"
  [control/campaign]="amd media signaling sql control/campaign control/webhooks"
  [control/api]="amd media signaling sql control/campaign control/api control/web control/webhooks"
  [control/webhooks]="amd media signaling sql control/webhooks"
  [control/web]="control/web"
)

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)"'
status=0
for folder in "${!allowed[@]}"; do
  [ -d "$root/$folder" ] || { echo "check_layers: $root/$folder is missing" >&2; exit 2; }
  while IFS= read -r hit; do
    file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}
    # Bash's own regex, no sed or cut per line: the check runs six times in its test, and the
    # forks made it 100 s of CI on a loaded machine.
    [[ ${rest#*:} =~ $include_re ]] || continue
    header=${BASH_REMATCH[1]}
    case $header in
      */*) ;;
      *) echo "$file:$line: includes \"$header\" without its folder (write \"$folder/$header\")"; status=1; continue ;;
    esac
    layer=${header%%/*}
    if [ "$layer" = control ]; then sub=${header#control/}; layer=control/${sub%%/*}; fi
    ok=0
    for a in ${allowed[$folder]}; do [ "$a" = "$layer" ] && ok=1; done
    if [ $ok = 0 ]; then
      echo "$file:$line: $folder/ may not include \"$header\" (a layer above it, or one it must not know)"
      status=1
    fi
  done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root/$folder"/*.h "$root/$folder"/*.cpp 2>/dev/null || true)
done
[ $status = 0 ] && echo "check_layers: every include points down"
exit $status
