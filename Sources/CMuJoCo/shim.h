// The MuJoCo 3.x C API (installed by scripts/setup_mujoco.sh from the mujoco==3.3.0 wheel).
// Everything MimicSim uses imports into Swift as is; no C shim is needed.
#include <mujoco/mujoco.h>
