#include "libs/common/clock.h"

namespace cdcflow::common {

SystemClock& SystemClock::Get() {
  static SystemClock clock;
  return clock;
}

}  // namespace cdcflow::common
