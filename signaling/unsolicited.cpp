#include "signaling/unsolicited.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>

namespace hark::signaling {

bool release_unsolicited(nua_t* nua, nua_event_t event, int status, nua_handle_t* nh) {
  if (!nh || nh == nua_default(nua)) return false;
  switch (event) {
    case nua_i_refer:
    case nua_i_subscribe:
    case nua_i_message:
    case nua_i_options:
    case nua_i_info:
    case nua_i_notify:
    case nua_i_publish:
    case nua_i_register:
    case nua_i_method:
      break;
    default:
      return false;
  }
  // A status below 200: sofia left the answer to us (NUTAG_APPL_METHOD); otherwise it has
  // answered already (OPTIONS 200 with Allow, the trunk's keepalive).
  if (status < 200) {
    if (event == nua_i_method) nua_respond(nh, SIP_405_METHOD_NOT_ALLOWED, NUTAG_WITH_THIS(nua), TAG_END());
    else if (event == nua_i_notify || event == nua_i_info)  // belongs to a dialog we do not have
      nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
    else nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(nua), TAG_END());
  }
  nua_handle_destroy(nh);
  return true;
}

}  // namespace hark::signaling
