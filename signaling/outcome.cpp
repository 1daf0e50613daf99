#include "signaling/outcome.h"

namespace hark::signaling {

std::string_view to_string(LeadStatus s) {
  switch (s) {
    case LeadStatus::not_called: return "NOT_CALLED";
    case LeadStatus::success: return "SUCCESS";
    case LeadStatus::failure: return "FAILURE";
    case LeadStatus::busy: return "BUSY";
    case LeadStatus::no_answer: return "NO_ANSWER";
    case LeadStatus::rejected: return "REJECTED";
    case LeadStatus::amd: return "AMD";
    case LeadStatus::service_temporarily_unavailable: return "SERVICE_TEMPORARILY_UNAVAILABLE";
    case LeadStatus::dnc: return "DNC";
    case LeadStatus::abandoned: return "ABANDONED";
    case LeadStatus::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

LeadStatus status_for_sip_code(int code) {
  switch (code) {
    case 486: case 600: return LeadStatus::busy;
    case 603: return LeadStatus::rejected;
    case 480: case 408: case 487: return LeadStatus::no_answer;  // 487: our CANCEL at ring timeout
    case 500: case 502: case 503: case 504: return LeadStatus::service_temporarily_unavailable;
    case 404: case 410: case 484: return LeadStatus::failure;
    default: return LeadStatus::unknown;
  }
}

LeadStatus status_for_answered(amd::Verdict v, bool transferred) {
  switch (v) {
    case amd::Verdict::machine:
    case amd::Verdict::fax: return LeadStatus::amd;
    case amd::Verdict::sit: return LeadStatus::failure;
    case amd::Verdict::human:
    case amd::Verdict::unknown: return transferred ? LeadStatus::success : LeadStatus::unknown;
    case amd::Verdict::silence: return LeadStatus::unknown;
  }
  return LeadStatus::unknown;
}

}  // namespace hark::signaling
