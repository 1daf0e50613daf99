#include "amd/greeting_model.h"

#include <cmath>

#include "amd/call_features.h"

namespace hark::amd::greeting_model {

static_assert(kFeatures == CallFeatures::kCount, "greeting_model_data.h is stale: re-run scripts/train_amd_model.py");

double human_probability(const float* x) {
  // sklearn's trees compare float32 features with double thresholds: the same here.
  double score = kBias;
  for (int t = 0; t < kTrees; ++t) {
    int i = kRoots[t];
    while (kNodes[i].feature >= 0)
      i = double(x[kNodes[i].feature]) <= kNodes[i].threshold ? kNodes[i].left : kNodes[i].right;
    score += kNodes[i].value;
  }
  return 1.0 / (1.0 + std::exp(-score));
}

}  // namespace hark::amd::greeting_model
