// Includes the parts of spandsp hark uses. spandsp's headers expect <stdint.h>-style
// limits and must be included as one group in C linkage order.
#pragma once

#include <cinttypes>
#include <cmath>
#include <math.h>
#include <cstdint>
#include <cstdlib>
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/async.h>
#include <spandsp/power_meter.h>
#include <spandsp/complex.h>
#include <spandsp/complex_filters.h>
#include <spandsp/tone_detect.h>
#include <spandsp/super_tone_rx.h>
#include <spandsp/fsk.h>
#include <spandsp/modem_connect_tones.h>
#include <spandsp/g711.h>
