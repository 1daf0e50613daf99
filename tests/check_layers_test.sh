#!/usr/bin/env bash
# Proves the layering check can fail: on a copy of the layered folders, an upward include
# added to a lower layer (sql -> control, media -> signaling) must make check_layers.sh fail
# and name the file; the untouched copy must pass.
#   check_layers_test.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_layers_test.sh SOURCE_ROOT}
source "$root/tests/check_can_fail.sh"
can_fail_setup "$root" "$root/tests/check_layers.sh" amd media signaling sql control/campaign control/api \
  control/web control/webhooks
expect_caught sql/lead_store.h '#include "control/campaign/lead_csv.h"'
expect_caught media/rtp_stream.cpp '#include "signaling/sip_agent.h"'
expect_caught amd/vad.h '#include "media/g711.h"'
expect_caught control/campaign/campaign_runner.cpp '#include "control/api/api.h"'
expect_caught signaling/sdp.cpp '#include "cli/config.h"'
echo "PASS"
