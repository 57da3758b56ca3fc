// The MuJoCo 3.x C API (installed by scripts/setup_mujoco.sh from the mujoco==3.3.0 wheel).
// The calls that can raise a MuJoCo error go through CMuJoCoShim's guards.
#include <mujoco/mujoco.h>
